using Tips.Contracts;
using Tips.Serving.Prompts;
using Tips.Serving.Tests.Support;

namespace Tips.Serving.Tests.Prompts;

public sealed class PromptLibraryTests
{
    private static readonly PromptLibrary Library = PromptLibrary.LoadEmbedded();

    [Fact]
    public void The_embedded_templates_include_the_default_version()
    {
        Assert.Contains(PromptLibrary.DefaultVersion, Library.Versions);
    }

    [Fact]
    public void Tasks_are_ordered_overdue_then_urgent_then_by_due_date_with_undated_last()
    {
        PromptTask Task(string id, int priority, string? due, bool overdue = false) => new(id, id, priority, due, overdue, overdue ? 1 : 0, []);
        var tasks = new[]
        {
            Task("undated-urgent", 4, null),
            Task("later", 1, "2026-03-09"),
            Task("overdue-low", 1, "2026-02-27", overdue: true),
            Task("soon-urgent", 4, "2026-03-03"),
            Task("sooner", 1, "2026-03-03T09:00:00"),
            Task("overdue-urgent", 4, "2026-03-01", overdue: true),
        };

        var order = PromptLibrary.MostPressingFirst(tasks).Select(t => t.Id);

        Assert.Equal(["overdue-urgent", "overdue-low", "soon-urgent", "undated-urgent", "sooner", "later"], order);
    }

    [Fact]
    public void Text_from_the_person_is_never_expanded_as_a_placeholder_and_stays_on_one_line()
    {
        var context = Contexts.Standard() with
        {
            Tasks = [new PromptTask("t1", "Write {{count}} lines\nand {{tasks}}", 1, null, false, 0, ["{{signals}}"])],
        };

        var prompt = Library.Render(PromptLibrary.DefaultVersion, context, 3);

        Assert.Contains("- id \"t1\": Write {{count}} lines and {{tasks}} | labels: {{signals}}", prompt.User);
        Assert.Contains("Write exactly 3 different tips.", prompt.User);
        Assert.Equal(PromptLibrary.DefaultVersion, prompt.Version);
    }

    [Fact]
    public void A_person_without_history_is_described_as_such()
    {
        var context = Contexts.Standard() with { Signals = UserSignals.None, Tasks = [] };

        var prompt = Library.Render(PromptLibrary.DefaultVersion, context, 1);

        Assert.Contains("Their last 30 days: no history yet", prompt.User);
        Assert.Contains("(none: the person has no open tasks", prompt.User);
    }

    [Fact]
    public void Signals_are_described_in_words()
    {
        var prompt = Library.Render(PromptLibrary.DefaultVersion, Contexts.Standard(), 3);

        Assert.Contains("12 tips served; 40% marked done, 10% dismissed; on average 45 s spent on a tip before acting; most tasks done around 09:00.", prompt.User);
    }
}
