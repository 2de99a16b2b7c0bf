using Microsoft.Extensions.Logging.Testing;

namespace Tips.Api.Tests.Support;

public static class LogText
{
    /// <summary>Everything a log sink could write of a record: message, state, exception and scopes.</summary>
    public static string Everything(FakeLogRecord record) => string.Join('\n',
        record.ToString(),
        record.Message,
        record.Exception?.ToString() ?? "",
        string.Join('\n', record.StructuredState?.Select(kv => $"{kv.Key}={kv.Value}") ?? []),
        string.Join('\n', record.Scopes.Select(s => s?.ToString() ?? "")));
}
