using System.Globalization;
using System.Text.Json;
using Tips.Contracts;

namespace Tips.Serving.Llm;

/// <summary>One tip the model wrote that passed validation.</summary>
internal sealed record ParsedTip(string Content, TipKind Kind, string Rationale, string? TaskId, double? Confidence);

/// <summary>
/// What a reply yielded: the usable tips, why others were dropped, and <see cref="Error"/> when the reply as a
/// whole cannot be used (the concrete reason, as the correction message tells the model).
/// </summary>
internal sealed record TipReply(IReadOnlyList<ParsedTip> Tips, IReadOnlyList<string> Dropped, string? Error)
{
    public bool IsUsable => Error is null;

    public static TipReply Failed(string error, IReadOnlyList<string>? dropped = null) => new([], dropped ?? [], error);
}

/// <summary>
/// Turns a model's free-text reply into validated tips. Local models wrap JSON in markdown fences, think aloud in
/// <c>&lt;think&gt;</c> blocks, add prose, trailing commas and comments, or stop mid-array at the token limit; this
/// finds the JSON in all of that without copying the reply (spans over the original string, one JSON parse of
/// the chosen slice) and checks every item. Pure: no I/O, no clock, safe to call from many threads.
/// </summary>
internal static class TipReplyParser
{
    public const int MaxContentLength = 280;
    public const int MaxRationaleLength = 500;

    private static readonly JsonDocumentOptions Lenient = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 32,
    };

    private static readonly string KindList = string.Join(", ", WireName.All<TipKind>());

    /// <summary>
    /// Parses <paramref name="reply"/> and keeps at most <paramref name="wanted"/> valid tips. Invalid items are
    /// dropped while at least half of <paramref name="wanted"/> (rounded up) remain valid; below that the reply
    /// is unusable and <see cref="TipReply.Error"/> says why.
    /// </summary>
    /// <param name="taskIds">Ids of the tasks the prompt showed; a tip's <c>task_id</c> must be one of them.</param>
    public static TipReply Parse(string reply, int wanted, IReadOnlySet<string> taskIds)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);

        using var document = Locate(reply, out var error);
        return document is null ? TipReply.Failed(error) : Validate(document.RootElement, wanted, taskIds);
    }

    /// <summary>
    /// Finds the JSON value of the reply: after any <c>&lt;think&gt;</c> block, inside the first markdown fence
    /// when one holds JSON (any language tag, any case, closed or not), else the first balanced object or array
    /// of the text. A balanced value that does not parse, or is not shaped like tips, is skipped for the next one.
    /// </summary>
    private static JsonDocument? Locate(string reply, out string error)
    {
        var from = SkipPreamble(reply, out error);
        if (from < 0)
        {
            return null;
        }

        // Prefer the fence's body: prose before a fence may hold braces of its own.
        if (FindFence(reply, from, out var bodyStart, out var bodyEnd))
        {
            var inFence = FindValue(reply, bodyStart, bodyEnd, out var fenceError);
            if (inFence is not null)
            {
                return inFence;
            }
            if (fenceError is { } cut && cut.StartsWith(CutOff, StringComparison.Ordinal))
            {
                error = cut;
                return null;
            }
        }

        var value = FindValue(reply, from, reply.Length, out var textError);
        error = textError ?? "the reply holds no JSON object or array";
        return value;
    }

    /// <summary>Where the answer starts: past a byte-order mark and any <c>&lt;think&gt;…&lt;/think&gt;</c> block.</summary>
    private static int SkipPreamble(ReadOnlySpan<char> text, out string error)
    {
        error = "";
        var from = 0;
        // A BOM, or one decoded as Latin-1 by a gateway that took UTF-8 for it.
        if (text.StartsWith("\uFEFF", StringComparison.Ordinal))
        {
            from = 1;
        }
        else if (text.StartsWith("\u00EF\u00BB\u00BF", StringComparison.Ordinal))
        {
            from = 3;
        }

        // Reasoning comes before the answer: start after the last closing tag (some templates emit only that).
        // The forward search is vectorised and the backward case-insensitive one is not: most replies have no tag.
        var closeLength = 0;
        var closeThink = text.IndexOf("</think", StringComparison.OrdinalIgnoreCase) < 0
            ? -1
            : LastIndexOfAny(text, "</think>", "</thinking>", out closeLength);
        if (closeThink >= from)
        {
            return closeThink + closeLength;
        }

        var openThink = text[from..].IndexOf("<think", StringComparison.OrdinalIgnoreCase);
        if (openThink >= 0)
        {
            // JSON before an unclosed think block is still an answer; after it everything is reasoning.
            var before = text[from..(from + openThink)];
            if (before.IndexOfAny('{', '[') < 0)
            {
                error = "the reply ended inside a <think> block, with no answer after it";
                return -1;
            }
        }
        return from;
    }

    private static int LastIndexOfAny(ReadOnlySpan<char> text, string a, string b, out int length)
    {
        var ia = text.LastIndexOf(a, StringComparison.OrdinalIgnoreCase);
        var ib = text.LastIndexOf(b, StringComparison.OrdinalIgnoreCase);
        if (ia >= ib)
        {
            length = a.Length;
            return ia;
        }
        length = b.Length;
        return ib;
    }

    /// <summary>
    /// The body of the first ``` or ~~~ fence after <paramref name="from"/>: past the opening run and its language
    /// tag, up to the next run of the same fence, or to the end of the text when the fence never closes.
    /// </summary>
    private static bool FindFence(ReadOnlySpan<char> text, int from, out int bodyStart, out int bodyEnd)
    {
        bodyStart = bodyEnd = 0;
        var rest = text[from..];
        var backticks = rest.IndexOf("```", StringComparison.Ordinal);
        var tildes = rest.IndexOf("~~~", StringComparison.Ordinal);
        var at = backticks < 0 ? tildes : tildes < 0 ? backticks : Math.Min(backticks, tildes);
        if (at < 0)
        {
            return false;
        }

        var open = from + at;
        var fenceChar = text[open];
        var i = open;
        while (i < text.Length && text[i] == fenceChar)
        {
            i++;
        }
        var run = i - open;
        // The language tag: json, JSON, jsonc, json5, javascript… Anything up to the first space, brace or newline.
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-' or '+' or '.'))
        {
            i++;
        }
        bodyStart = i;

        var close = text[bodyStart..].IndexOf(new string(fenceChar, run), StringComparison.Ordinal);
        bodyEnd = close < 0 ? text.Length : bodyStart + close;
        return true;
    }

    private const string CutOff = "the JSON is cut off";

    /// <summary>
    /// The first balanced object or array in [from, end) that parses and is shaped like tips, or null with the
    /// first problem met (a value cut off before it closes ends the search: everything after it is inside it).
    /// </summary>
    private static JsonDocument? FindValue(string reply, int from, int end, out string? error)
    {
        error = null;
        var text = reply.AsSpan(0, end);
        var position = from;
        while (position < end)
        {
            var open = text[position..].IndexOfAny('{', '[');
            if (open < 0)
            {
                break;
            }
            var start = position + open;
            var close = FindClose(text, start, out var unclosed);
            if (close < 0)
            {
                error = $"{CutOff}: {unclosed} bracket(s) never closed (the reply stops {end - start} characters into the JSON)";
                return null;
            }

            JsonDocument? document = null;
            try
            {
                document = JsonDocument.Parse(reply.AsMemory(start, close - start + 1), Lenient);
                var problem = Items(document.RootElement, out _);
                if (problem is null)
                {
                    return document;
                }
                error ??= problem;
            }
            catch (JsonException e)
            {
                error ??= $"the JSON is invalid: {Describe(e)}";
            }
            document?.Dispose();
            position = close + 1;
        }
        return null;
    }

    /// <summary>
    /// The index of the bracket that closes the one at <paramref name="start"/>, skipping strings (with escapes)
    /// and comments; -1 when the text ends first, with the brackets still open in <paramref name="unclosed"/>.
    /// </summary>
    internal static int FindClose(ReadOnlySpan<char> text, int start, out int unclosed)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (--depth == 0)
                    {
                        unclosed = 0;
                        return i;
                    }
                    break;
                case '"':
                    i = SkipString(text, i);
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    var newline = text[i..].IndexOfAny('\n', '\r');
                    i = newline < 0 ? text.Length : i + newline;
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '*':
                    var endComment = text[(i + 2)..].IndexOf("*/", StringComparison.Ordinal);
                    i = endComment < 0 ? text.Length : i + 2 + endComment + 1;
                    break;
            }
        }
        unclosed = depth;
        return -1;
    }

    /// <summary>The index of the quote that ends the string opened at <paramref name="open"/> (or the end of text).</summary>
    private static int SkipString(ReadOnlySpan<char> text, int open)
    {
        for (var i = open + 1; i < text.Length; i++)
        {
            var special = text[i..].IndexOfAny('"', '\\');
            if (special < 0)
            {
                return text.Length;
            }
            i += special;
            if (text[i] == '\\')
            {
                i++; // skip the escaped character, whatever it is
                continue;
            }
            return i;
        }
        return text.Length;
    }

    /// <summary>
    /// The tip items of an accepted shape: a bare array, <c>{"tips":[…]}</c>, <c>{"data":[…]}</c> (what some
    /// clients wrap lists in), or one tip object. Returns the problem when the shape is none of these.
    /// </summary>
    private static string? Items(JsonElement root, out JsonElement items)
    {
        items = root;
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                // Prose like "see [1]" is balanced JSON too: an array counts only when it holds an object.
                if (root.GetArrayLength() == 0)
                {
                    return null;
                }
                foreach (var item in root.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        return null;
                    }
                }
                return "the JSON array holds no tip objects";
            case JsonValueKind.Object:
                foreach (var property in root.EnumerateObject())
                {
                    if (property.NameEquals("tips") || property.NameEquals("Tips") || property.NameEquals("data"))
                    {
                        if (property.Value.ValueKind == JsonValueKind.Array)
                        {
                            items = property.Value;
                            return null;
                        }
                        return $"\"{property.Name}\" is {Article(property.Value.ValueKind)}, not an array of tips";
                    }
                }
                return root.TryGetProperty("content", out _)
                    ? null
                    : "the JSON object has no \"tips\" array (expected {\"tips\":[{\"content\",\"kind\",\"rationale\",…}]})";
            default:
                return $"the JSON is {Article(root.ValueKind)}, not an object with a \"tips\" array";
        }
    }

    private static TipReply Validate(JsonElement root, int wanted, IReadOnlySet<string> taskIds)
    {
        var shapeProblem = Items(root, out var items);
        if (shapeProblem is not null)
        {
            return TipReply.Failed(shapeProblem);
        }

        var tips = new List<ParsedTip>(Math.Min(wanted, 16));
        var dropped = new List<string>();
        var total = 0;
        if (items.ValueKind == JsonValueKind.Object)
        {
            total = 1;
            Check(items, 1, tips, dropped, taskIds);
        }
        else
        {
            foreach (var item in items.EnumerateArray())
            {
                total++;
                if (tips.Count < wanted)
                {
                    Check(item, total, tips, dropped, taskIds);
                }
            }
        }

        if (total == 0)
        {
            return TipReply.Failed("the \"tips\" array is empty");
        }
        var needed = (wanted + 1) / 2;
        if (tips.Count < needed)
        {
            return TipReply.Failed(
                $"only {tips.Count} of {total} tips are valid and {needed} are needed: {string.Join("; ", dropped)}", dropped);
        }
        return new TipReply(tips, dropped, null);
    }

    private static void Check(JsonElement item, int number, List<ParsedTip> tips, List<string> dropped, IReadOnlySet<string> taskIds)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            dropped.Add($"tip {number} is {Article(item.ValueKind)}, not an object");
            return;
        }

        JsonElement content = default, kind = default, rationale = default, taskId = default, confidence = default;
        foreach (var property in item.EnumerateObject())
        {
            if (property.NameEquals("content")) { content = property.Value; }
            else if (property.NameEquals("kind")) { kind = property.Value; }
            else if (property.NameEquals("rationale")) { rationale = property.Value; }
            else if (property.NameEquals("task_id") || property.NameEquals("taskId")) { taskId = property.Value; }
            else if (property.NameEquals("confidence")) { confidence = property.Value; }
        }

        var text = content.ValueKind == JsonValueKind.String ? content.GetString()!.Trim() : "";
        if (text.Length == 0)
        {
            dropped.Add($"tip {number} has no \"content\" text");
            return;
        }
        if (text.Length > MaxContentLength)
        {
            dropped.Add($"tip {number}: \"content\" is {text.Length} characters, at most {MaxContentLength} are allowed");
            return;
        }

        var kindText = kind.ValueKind == JsonValueKind.String ? kind.GetString()!.Trim() : null;
        if (kindText is null)
        {
            dropped.Add($"tip {number} has no \"kind\" (one of {KindList})");
            return;
        }
        if (!WireName.TryParse<TipKind>(kindText, out var tipKind) &&
            !WireName.TryParse(kindText.ToLowerInvariant(), out tipKind))
        {
            dropped.Add($"tip {number}: kind \"{Short(kindText)}\" is not one of {KindList}");
            return;
        }

        var why = rationale.ValueKind == JsonValueKind.String ? rationale.GetString()!.Trim() : "";
        if (why.Length == 0)
        {
            dropped.Add($"tip {number} has no \"rationale\"");
            return;
        }
        if (why.Length > MaxRationaleLength)
        {
            why = why[..MaxRationaleLength];
        }

        string? task = taskId.ValueKind switch
        {
            JsonValueKind.String => taskId.GetString() is { Length: > 0 } s ? s.Trim() : null,
            JsonValueKind.Number => taskId.GetRawText(),
            _ => null,
        };
        if (task is not null && !taskIds.Contains(task))
        {
            dropped.Add($"tip {number}: task_id \"{Short(task)}\" is not the id of any listed task");
            return;
        }

        double? sure = confidence.ValueKind == JsonValueKind.Number && confidence.TryGetDouble(out var c) && c is >= 0 and <= 1
            ? c
            : null;

        foreach (var earlier in tips)
        {
            if (string.Equals(earlier.Content, text, StringComparison.OrdinalIgnoreCase))
            {
                dropped.Add($"tip {number} repeats an earlier tip");
                return;
            }
        }
        tips.Add(new ParsedTip(text, tipKind, why, task, sure));
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Quoted model output is cut short: errors go into logs and back to the model.</summary>
    private static string Short(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "…");

    /// <summary>The parser's message without the .NET type names and paths a model cannot use.</summary>
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }
        var core = cut < 0 ? message : message[..cut];
        return e.LineNumber is { } line && e.BytePositionInLine is { } column
            ? string.Create(CultureInfo.InvariantCulture, $"{core.TrimEnd('.')} (line {line + 1}, position {column + 1})")
            : core;
    }
}
