using Tips.Contracts;
using Tips.Serving.Llm;

namespace Tips.Serving.Tests.Parsing;

public sealed class TipReplyParserTests
{
    private static readonly HashSet<string> TaskIds = ["6Xq3a", "6Xq3b"];

    private const string Tips3 = """
        {"tips":[
          {"content":"Pay the electricity bill now.","kind":"task","rationale":"It is two days overdue.","task_id":"6Xq3a","confidence":0.9},
          {"content":"Block 25 minutes for the report.","kind":"advice","rationale":"Mornings are your best hours."},
          {"content":"You finish more on Mondays.","kind":"insight","rationale":"Seen in your last month."}
        ]}
        """;

    private static TipReply Parse(string reply, int wanted = 3) => TipReplyParser.Parse(reply, wanted, TaskIds);

    private static void AssertThreeTips(TipReply reply)
    {
        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(["Pay the electricity bill now.", "Block 25 minutes for the report.", "You finish more on Mondays."],
            reply.Tips.Select(t => t.Content));
        Assert.Equal([TipKind.Task, TipKind.Advice, TipKind.Insight], reply.Tips.Select(t => t.Kind));
    }

    [Fact]
    public void A_clean_reply_gives_every_field()
    {
        var reply = Parse(Tips3);

        AssertThreeTips(reply);
        var first = reply.Tips[0];
        Assert.Equal("6Xq3a", first.TaskId);
        Assert.Equal(0.9, first.Confidence);
        Assert.Equal("It is two days overdue.", first.Rationale);
        Assert.Null(reply.Tips[1].TaskId);
        Assert.Null(reply.Tips[1].Confidence);
        Assert.Empty(reply.Dropped);
    }

    [Theory]
    [InlineData("```json\n{0}\n```")]
    [InlineData("```JSON\n{0}\n```")]
    [InlineData("```Json\r\n{0}\r\n```\r\n")]
    [InlineData("```\n{0}\n```")]
    [InlineData("```jsonc\n{0}\n```")]
    [InlineData("~~~json\n{0}\n~~~")]
    [InlineData("````json\n{0}\n````")]
    [InlineData("```json {0} ```")]
    [InlineData("   ```json\n{0}\n   ```  ")]
    [InlineData("```json\n{0}")]
    [InlineData("```json\n{0}\n``")]
    public void Markdown_fences_of_every_kind_are_stripped(string wrapping)
    {
        AssertThreeTips(Parse(wrapping.Replace("{0}", Tips3, StringComparison.Ordinal)));
    }

    [Fact]
    public void Prose_before_a_fence_may_hold_braces_of_its_own()
    {
        var reply = Parse($"Sure! I used the {{tips}} shape and [3] items as asked:\n```json\n{Tips3}\n```\nHope this helps {{:}}");

        AssertThreeTips(reply);
    }

    [Theory]
    [InlineData("Here are your tips:\n\n{0}")]
    [InlineData("{0}\n\nLet me know if you want more.")]
    [InlineData("Based on your tasks (see [1]), here you go: {0} -- good luck!")]
    public void Prose_around_the_json_is_ignored(string wrapping)
    {
        AssertThreeTips(Parse(wrapping.Replace("{0}", Tips3, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("<think>\nThe user has an overdue bill {urgent}. I'll put it first [maybe].\n</think>\n{0}")]
    [InlineData("<THINK>plan: [a, b]</THINK>\n```json\n{0}\n```")]
    [InlineData("<thinking>{ not json }</thinking>{0}")]
    [InlineData("Okay, the bill is overdue {so first}.\n</think>\n\n{0}")]
    public void Think_blocks_are_skipped(string wrapping)
    {
        AssertThreeTips(Parse(wrapping.Replace("{0}", Tips3, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_reply_that_ends_inside_a_think_block_has_no_answer()
    {
        var reply = Parse("<think>\nThe user wants {\"tips\": ...} so I will start with the bill and then");

        Assert.False(reply.IsUsable);
        Assert.Contains("<think>", reply.Error);
    }

    [Theory]
    [InlineData("\uFEFF{0}")]
    [InlineData("\u00EF\u00BB\u00BF{0}")]
    [InlineData("\uFEFF```json\n{0}\n```")]
    public void A_byte_order_mark_is_skipped(string wrapping)
    {
        AssertThreeTips(Parse(wrapping.Replace("{0}", Tips3, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_bare_array_is_accepted()
    {
        var reply = Parse("""
            [{"content":"Pay the electricity bill now.","kind":"task","rationale":"Overdue.","task_id":"6Xq3a"},
             {"content":"Block 25 minutes for the report.","kind":"advice","rationale":"Focus."}]
            """, wanted: 2);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(2, reply.Tips.Count);
    }

    [Fact]
    public void A_data_wrapper_is_accepted()
    {
        var reply = Parse("""{"data":[{"content":"Stretch for two minutes.","kind":"advice","rationale":"You sat all morning."}]}""", wanted: 1);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal("Stretch for two minutes.", Assert.Single(reply.Tips).Content);
    }

    [Fact]
    public void A_single_tip_object_is_accepted()
    {
        var reply = Parse("""{"content":"Stretch for two minutes.","kind":"reminder","rationale":"You sat all morning."}""", wanted: 1);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(TipKind.Reminder, Assert.Single(reply.Tips).Kind);
    }

    [Fact]
    public void Trailing_commas_and_comments_are_tolerated()
    {
        var reply = Parse("""
            {
              // the most pressing first
              "tips": [
                {"content":"Pay the electricity bill now.","kind":"task","rationale":"It is two days overdue.","task_id":"6Xq3a",},
                /* then focus */
                {"content":"Block 25 minutes for the report.","kind":"advice","rationale":"Mornings are your best hours.",},
                {"content":"You finish more on Mondays.","kind":"insight","rationale":"Seen in your last month.",},
              ],
            }
            """);

        AssertThreeTips(reply);
    }

    [Fact]
    public void Braces_brackets_and_quotes_inside_strings_do_not_end_the_json()
    {
        var reply = Parse("""
            Tips: {"tips":[{"content":"Reply to \"Ana\" about the {budget} [draft] today.","kind":"task","rationale":"She asked twice }]","task_id":"6Xq3b"},
            {"content":"Use a // checklist /* not a comment */.","kind":"advice","rationale":"Back\\slash \\\" and ] are fine."}]} trailing {
            """, wanted: 2);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal("Reply to \"Ana\" about the {budget} [draft] today.", reply.Tips[0].Content);
        Assert.Equal("Use a // checklist /* not a comment */.", reply.Tips[1].Content);
        Assert.Equal("Back\\slash \\\" and ] are fine.", reply.Tips[1].Rationale);
    }

    [Fact]
    public void Nested_objects_inside_an_item_are_skipped_over()
    {
        var reply = Parse("""{"tips":[{"content":"Plan the week.","kind":"advice","rationale":"Sunday.","meta":{"tags":[{"a":1}],"x":"}"}}]}""", wanted: 1);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal("Plan the week.", Assert.Single(reply.Tips).Content);
    }

    [Fact]
    public void Json_cut_off_mid_array_is_reported_as_cut_off()
    {
        var reply = Parse("""{"tips":[{"content":"Pay the electricity bill now.","kind":"task","rationale":"Overdue.","task_id":"6Xq3a"},{"content":"Block 25 min""");

        Assert.False(reply.IsUsable);
        Assert.StartsWith("the JSON is cut off", reply.Error);
        Assert.Contains("3 bracket(s) never closed", reply.Error);
        Assert.Empty(reply.Tips);
    }

    [Fact]
    public void An_unclosed_fence_with_cut_off_json_is_reported_as_cut_off()
    {
        var reply = Parse("```json\n{\"tips\":[{\"content\":\"Pay the bill\",\"kind\":\"task\"");

        Assert.False(reply.IsUsable);
        Assert.StartsWith("the JSON is cut off", reply.Error);
    }

    [Theory]
    [InlineData("I could not think of any tips today, sorry.")]
    [InlineData("")]
    [InlineData("```\nno json here\n```")]
    public void A_reply_without_json_says_so(string text)
    {
        var reply = Parse(text);

        Assert.False(reply.IsUsable);
        Assert.Equal("the reply holds no JSON object or array", reply.Error);
    }

    [Fact]
    public void Invalid_json_names_the_parser_error_and_its_position()
    {
        var reply = Parse("""{"tips":[{"content":'single quotes',"kind":"advice"}]}""");

        Assert.False(reply.IsUsable);
        Assert.StartsWith("the JSON is invalid: ", reply.Error);
        Assert.Contains("line 1", reply.Error);
    }

    [Theory]
    [InlineData("""{"answer":"none"}""", "no \"tips\" array")]
    [InlineData("""{"tips":"none"}""", "\"tips\" is a string, not an array")]
    [InlineData("""[1, 2, 3]""", "the JSON array holds no tip objects")]
    [InlineData("""[{"content":"Stretch now.","kind":"advice"}, 7]""", "tip 2 is a number, not an object")]
    [InlineData("""{"tips":[]}""", "the \"tips\" array is empty")]
    public void A_wrong_shape_is_named(string json, string expected)
    {
        var reply = Parse(json, wanted: 1);

        Assert.False(reply.IsUsable);
        Assert.Contains(expected, reply.Error);
    }

    [Fact]
    public void An_item_with_an_unknown_kind_is_dropped_while_enough_remain()
    {
        var reply = Parse("""
            {"tips":[
              {"content":"Pay the electricity bill now.","kind":"task","rationale":"Overdue.","task_id":"6Xq3a"},
              {"content":"Drink water.","kind":"lifehack","rationale":"Hydration."},
              {"content":"Block 25 minutes for the report.","kind":"Advice","rationale":"Focus."}
            ]}
            """);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(["Pay the electricity bill now.", "Block 25 minutes for the report."], reply.Tips.Select(t => t.Content));
        Assert.Equal(TipKind.Advice, reply.Tips[1].Kind);
        Assert.Equal("tip 2: kind \"lifehack\" is not one of task, advice, insight, reminder", Assert.Single(reply.Dropped));
    }

    [Fact]
    public void An_item_naming_an_unknown_task_is_dropped()
    {
        var reply = Parse("""
            {"tips":[
              {"content":"Call the dentist.","kind":"task","rationale":"Overdue.","task_id":"9999"},
              {"content":"Pay the electricity bill now.","kind":"task","rationale":"Overdue.","task_id":"6Xq3a"},
              {"content":"Block 25 minutes for the report.","kind":"advice","rationale":"Focus.","task_id":null}
            ]}
            """);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(["6Xq3a", null], reply.Tips.Select(t => t.TaskId));
        Assert.Contains("task_id \"9999\" is not the id of any listed task", Assert.Single(reply.Dropped));
    }

    [Theory]
    [InlineData("""{"content":"","kind":"advice","rationale":"r"}""", "has no \"content\"")]
    [InlineData("""{"kind":"advice","rationale":"r"}""", "has no \"content\"")]
    [InlineData("""{"content":"Do it.","rationale":"r"}""", "has no \"kind\"")]
    [InlineData("""{"content":"Do it.","kind":"advice"}""", "has no \"rationale\"")]
    [InlineData("""{"content":"Do it.","kind":"advice","rationale":"  "}""", "has no \"rationale\"")]
    public void Items_missing_a_required_field_are_dropped(string item, string expected)
    {
        var good = """{"content":"Block 25 minutes for the report.","kind":"advice","rationale":"Focus."}""";

        var reply = Parse($$"""{"tips":[{{item}},{{good}}]}""", wanted: 2);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Single(reply.Tips);
        Assert.Contains(expected, Assert.Single(reply.Dropped));
    }

    [Fact]
    public void Content_is_at_most_280_characters()
    {
        var longest = new string('a', 280);
        var tooLong = new string('b', 281);

        var reply = Parse($$"""{"tips":[{"content":"{{longest}}","kind":"advice","rationale":"r"},{"content":"{{tooLong}}","kind":"advice","rationale":"r"}]}""", wanted: 1);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(longest, Assert.Single(reply.Tips).Content);

        var alone = Parse($$"""{"tips":[{"content":"{{tooLong}}","kind":"advice","rationale":"r"}]}""", wanted: 1);
        Assert.False(alone.IsUsable);
        Assert.Contains("\"content\" is 281 characters, at most 280", alone.Error);
    }

    [Fact]
    public void Too_few_valid_items_make_the_reply_unusable_and_list_every_problem()
    {
        var reply = Parse("""
            {"tips":[
              {"content":"Call the dentist.","kind":"task","rationale":"Overdue.","task_id":"9999"},
              {"content":"Drink water.","kind":"lifehack","rationale":"Hydration."},
              {"content":"Block 25 minutes for the report.","kind":"advice","rationale":"Focus."}
            ]}
            """, wanted: 4);

        Assert.False(reply.IsUsable);
        Assert.StartsWith("only 1 of 3 tips are valid and 2 are needed: ", reply.Error);
        Assert.Contains("task_id \"9999\"", reply.Error);
        Assert.Contains("kind \"lifehack\"", reply.Error);
    }

    [Fact]
    public void At_most_the_wanted_number_is_kept()
    {
        var reply = Parse(Tips3, wanted: 2);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(2, reply.Tips.Count);
    }

    [Fact]
    public void Repeated_tips_are_dropped()
    {
        var reply = Parse("""
            [{"content":"Stretch now.","kind":"advice","rationale":"r"},{"content":"stretch now.","kind":"advice","rationale":"r"}]
            """, wanted: 1);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Single(reply.Tips);
    }

    [Theory]
    [InlineData("0.75", 0.75)]
    [InlineData("1", 1.0)]
    [InlineData("1.5", null)]
    [InlineData("-0.1", null)]
    [InlineData("\"high\"", null)]
    public void Confidence_outside_0_to_1_is_ignored_not_fatal(string confidence, double? expected)
    {
        var reply = Parse($$"""{"content":"Stretch now.","kind":"advice","rationale":"r","confidence":{{confidence}}}""", wanted: 1);

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal(expected, Assert.Single(reply.Tips).Confidence);
    }

    [Fact]
    public void A_numeric_task_id_and_the_camel_case_name_are_understood()
    {
        var reply = TipReplyParser.Parse("""{"content":"Pay it.","kind":"task","rationale":"r","taskId":12345}""", 1, new HashSet<string> { "12345" });

        Assert.True(reply.IsUsable, reply.Error);
        Assert.Equal("12345", Assert.Single(reply.Tips).TaskId);
    }

    [Fact]
    public void A_balanced_value_of_the_wrong_shape_is_skipped_for_the_next_one()
    {
        var reply = Parse($"Using [\"json\"] format: {Tips3}");

        AssertThreeTips(reply);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_crash()
    {
        var deep = new string('[', 200) + new string(']', 200);

        var reply = Parse(deep);

        Assert.False(reply.IsUsable);
        Assert.StartsWith("the JSON is invalid", reply.Error);
    }
}
