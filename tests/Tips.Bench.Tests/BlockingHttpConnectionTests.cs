using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tips.Bench.Load;
using Tips.Bench.Seeding;
using Tips.TestSupport;

namespace Tips.Bench.Tests;

public sealed class BlockingHttpConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly BenchUser User = new("u1", "Bearer token-of-u1", "todoist-token");

    [Fact]
    public async Task Reads_chunked_json_answers_one_after_another_on_one_connection()
    {
        await using var server = await LoopbackServer.StartAsync(context => context.Response.WriteAsJsonAsync(new
        {
            tips = new[] { new { id = Guid.Parse("01a2511e-737c-7130-89a7-b20997b05669"), user = context.Request.Headers.Authorization.ToString() } },
        }));
        using var connection = new BlockingHttpConnection(server.Url, Timeout);

        for (var i = 0; i < 3; i++)
        {
            var answer = await connection.GetTipsAsync(User, CancellationToken.None);

            Assert.Equal((200, FailureKind.None), (answer.Status, answer.Failure));
            using var json = JsonDocument.Parse(answer.Body!);
            var tip = json.RootElement.GetProperty("tips")[0];
            Assert.Equal("01a2511e-737c-7130-89a7-b20997b05669", tip.GetProperty("id").GetString());
            Assert.Equal("Bearer token-of-u1", tip.GetProperty("user").GetString());
        }
        Assert.Equal(3, Assert.Single(server.Connections).Value);
    }

    [Fact]
    public async Task Posts_feedback_as_json_and_drops_a_success_body_it_was_not_asked_for()
    {
        var received = new List<(string Method, string Path, string? Type, string Body)>();
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (received)
            {
                received.Add((context.Request.Method, context.Request.Path, context.Request.ContentType, body));
            }
            await context.Response.WriteAsync("""{"reward":0.5}""");
        });
        using var connection = new BlockingHttpConnection(server.Url, Timeout);
        var tipId = Guid.NewGuid();

        var answer = await connection.PostFeedbackAsync(User, tipId, "helpful", 4000, CancellationToken.None);

        Assert.Equal((200, FailureKind.None, (byte[]?)null), (answer.Status, answer.Failure, answer.Body));
        var (method, path, type, json) = Assert.Single(received);
        Assert.Equal(("POST", $"/tips/{tipId}/feedback", "application/json"), (method, path, type));
        Assert.Equal("""{"action":"helpful","dwell_ms":4000}""", json);
    }

    [Fact]
    public async Task Keeps_an_error_answer_body_sent_with_a_length()
    {
        const string problem = """{"type":"https://tips.dev/problems/not-found","title":"Tip not found","status":404}""";
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = 404;
            context.Response.ContentLength = Encoding.UTF8.GetByteCount(problem);
            return context.Response.WriteAsync(problem);
        });
        using var connection = new BlockingHttpConnection(server.Url, Timeout);

        var answer = connection.Send("GET", "/tips", User.Authorization, null, readBody: false);
        var again = connection.Send("GET", "/tips", User.Authorization, null, readBody: false);

        Assert.Equal((404, problem), (answer.Status, Encoding.UTF8.GetString(answer.Body!)));
        Assert.Equal(404, again.Status);
        Assert.Single(server.Connections);
    }

    [Fact]
    public async Task Reads_a_chunked_body_of_many_chunks_larger_than_its_buffer()
    {
        var expected = string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i:D5} of a long answer\n"));
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            foreach (var piece in expected.Chunk(7000))
            {
                await context.Response.WriteAsync(new string(piece));
                await context.Response.Body.FlushAsync();
            }
        });
        using var connection = new BlockingHttpConnection(server.Url, Timeout);

        var first = connection.Send("GET", "/big", null, null, readBody: true);
        var second = connection.Send("GET", "/big", null, null, readBody: true);

        Assert.Equal(expected, Encoding.UTF8.GetString(first.Body!));
        Assert.Equal(expected, Encoding.UTF8.GetString(second.Body!));
        Assert.Single(server.Connections);
    }

    [Fact]
    public async Task Opens_a_new_connection_after_the_server_says_close()
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.Headers.Connection = "close";
            return context.Response.WriteAsync("bye");
        });
        using var connection = new BlockingHttpConnection(server.Url, Timeout);

        var answers = Enumerable.Range(0, 3).Select(_ => connection.Send("GET", "/", null, null, readBody: true)).ToList();

        Assert.All(answers, a => Assert.Equal((200, "bye"), (a.Status, Encoding.UTF8.GetString(a.Body!))));
        Assert.Equal(3, server.Connections.Count);
    }

    [Fact]
    public async Task An_answer_later_than_the_timeout_is_a_timeout_and_the_next_request_gets_a_fresh_connection()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            await context.Response.WriteAsync("ok");
        });
        // A first answer, with time to spare, so that the server's answering code is compiled before the short timeout.
        using (var warmUp = new BlockingHttpConnection(server.Url, Timeout))
        {
            Assert.Equal(200, warmUp.Send("GET", "/", null, null, readBody: false).Status);
        }
        using var connection = new BlockingHttpConnection(server.Url, TimeSpan.FromMilliseconds(500));

        var late = connection.Send("GET", "/slow", null, null, readBody: true);
        var next = connection.Send("GET", "/", null, null, readBody: true);

        Assert.Equal((0, FailureKind.Timeout), (late.Status, late.Failure));
        Assert.Equal((200, "ok"), (next.Status, Encoding.UTF8.GetString(next.Body!)));
        Assert.Equal(3, server.Connections.Count);
    }

    [Fact]
    public void A_refused_connection_is_a_transport_failure()
    {
        using var connection = new BlockingHttpConnection(ClosedPort.Url(), Timeout);

        var answer = connection.Send("GET", "/", null, null, readBody: true);

        Assert.Equal((0, FailureKind.Transport), (answer.Status, answer.Failure));
    }

    [Fact]
    public async Task A_connection_closed_mid_answer_is_a_transport_failure()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("only part of it");
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        using var connection = new BlockingHttpConnection(server.Url, Timeout);

        var answer = connection.Send("GET", "/", null, null, readBody: true);

        Assert.Equal((0, FailureKind.Transport), (answer.Status, answer.Failure));
    }

    [Fact]
    public async Task Disposing_from_another_thread_ends_a_blocked_receive()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            arrived.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });
        var connection = new BlockingHttpConnection(server.Url, TimeSpan.FromSeconds(60));

        var blocked = Task.Factory.StartNew(() => connection.Send("GET", "/", null, null, readBody: true), TaskCreationOptions.LongRunning);
        await arrived.Task.WaitAsync(Timeout);
        connection.Dispose();
        var answer = await blocked.WaitAsync(Timeout);

        Assert.Equal((0, FailureKind.Transport), (answer.Status, answer.Failure));
    }
}
