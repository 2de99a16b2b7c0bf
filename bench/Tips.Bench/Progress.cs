namespace Tips.Bench;

/// <summary>What the run is doing, on stderr (stdout gets the report).</summary>
internal static class Progress
{
    public static void Step(string message) => Console.Error.WriteLine($"==> {message}");

    public static void Say(string message) => Console.Error.WriteLine($"    {message}");
}
