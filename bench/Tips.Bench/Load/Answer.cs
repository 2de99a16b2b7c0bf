namespace Tips.Bench.Load;

internal enum FailureKind
{
    None,

    /// <summary>No answer within the request timeout.</summary>
    Timeout,

    /// <summary>Refused, reset or otherwise broken connection.</summary>
    Transport,

    /// <summary>Never sent: the load generator already had its maximum of requests open (the system was far behind).</summary>
    NotSent,
}

/// <summary>What one request got back: an HTTP status (0 without one), the body when asked for, or why there was none.</summary>
internal readonly record struct Answer(int Status, byte[]? Body, FailureKind Failure)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}
