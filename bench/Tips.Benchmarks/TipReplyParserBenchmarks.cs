using System.Collections.Frozen;
using BenchmarkDotNet.Attributes;
using Tips.Serving.Llm;

namespace Tips.Benchmarks;

/// <summary>
/// <see cref="TipReplyParser.Parse"/> on large replies (100 tips, about 30 KB) in each shape the repair loop meets:
/// clean JSON, JSON in a markdown fence with prose around it, a reasoning block plus comments and trailing commas
/// (the lenient parse), a reply cut off at the token limit, and one that is not valid JSON. Every tip is validated
/// (wanted = 100) except in <see cref="CleanWanted10"/>, which asks for as many as a real request (at most 10).
/// </summary>
[MemoryDiagnoser]
public class TipReplyParserBenchmarks
{
    private const int TipCount = 100;

    private FrozenSet<string> _taskIds = FrozenSet<string>.Empty;
    private string _clean = "";
    private string _fenced = "";
    private string _lenient = "";
    private string _truncated = "";
    private string _invalid = "";

    [GlobalSetup]
    public void Setup()
    {
        var ids = SampleData.Tasks(20).Select(t => t.Id).ToList();
        _taskIds = ids.ToFrozenSet(StringComparer.Ordinal);

        _clean = SampleData.TipsJson(TipCount, ids);
        _fenced = "Here are tips based on your tasks {and your recent activity}:\n\n```json\n" + _clean +
            "\n```\n\nEach tip is short [as asked]; tell me if you want more {or fewer}.";
        _lenient = "<think>\nThe person has overdue tasks {see the list}; pick concrete steps [1], [2].\n</think>\n\n```JSON\n" +
            SampleData.TipsJson(TipCount, ids, trailingCommas: true) + "\n```";
        // Stopped by the token limit in the middle of the 98th tip: the fence and the JSON never close.
        _truncated = _fenced[.._fenced.IndexOf("\"content\"", _fenced.Length * 97 / 100, StringComparison.Ordinal)];
        // A comma missing between two tips two thirds of the way in.
        var gap = _clean.IndexOf("},\n    {", _clean.Length * 2 / 3, StringComparison.Ordinal);
        _invalid = string.Concat(_clean.AsSpan(0, gap + 1), _clean.AsSpan(gap + 2));

        Check(Clean(), usable: true);
        Check(Fenced(), usable: true);
        Check(Lenient(), usable: true);
        Check(Truncated(), usable: false);
        Check(Invalid(), usable: false);
    }

    [Benchmark]
    public object Clean() => TipReplyParser.Parse(_clean, TipCount, _taskIds);

    [Benchmark]
    public object CleanWanted10() => TipReplyParser.Parse(_clean, 10, _taskIds);

    [Benchmark]
    public object Fenced() => TipReplyParser.Parse(_fenced, TipCount, _taskIds);

    [Benchmark]
    public object Lenient() => TipReplyParser.Parse(_lenient, TipCount, _taskIds);

    [Benchmark]
    public object Truncated() => TipReplyParser.Parse(_truncated, TipCount, _taskIds);

    [Benchmark]
    public object Invalid() => TipReplyParser.Parse(_invalid, TipCount, _taskIds);

    /// <summary>Guards the inputs: a benchmark of the wrong path would measure nothing useful.</summary>
    private static void Check(object result, bool usable)
    {
        var reply = (TipReply)result;
        if (reply.IsUsable != usable || (usable && (reply.Tips.Count != TipCount || reply.Dropped.Count != 0)))
        {
            throw new InvalidOperationException(
                $"Sample reply parsed unexpectedly: usable {reply.IsUsable}, {reply.Tips.Count} tips, error: {reply.Error}");
        }
    }
}
