namespace Tips.Bench.Stack;

/// <summary>The bench could not run (a missing build, a service that did not start…); the message says what to do.</summary>
internal sealed class BenchSetupException(string message, Exception? inner = null) : Exception(message, inner);
