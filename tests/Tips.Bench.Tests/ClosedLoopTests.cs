using Microsoft.AspNetCore.Http;
using Tips.Bench.Load;

namespace Tips.Bench.Tests;

public sealed class ClosedLoopTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Each_client_sends_on_a_connection_of_its_own_until_the_window_ends()
    {
        await using var server = await LoopbackServer.StartAsync(context => context.Response.WriteAsync("ok"));
        var answers = new LatencyRecorder();

        var elapsed = await ClosedLoop.RunAsync(server.Url, Timeout, clients: 4, TimeSpan.FromMilliseconds(300), (connection, sent) =>
        {
            answers.Add(connection.Send("GET", "/", null, null, readBody: false), TimeSpan.Zero);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        var stats = answers.Summarize(elapsed);
        Assert.Equal(4, server.Connections.Count);
        Assert.Equal(server.Connections.Values.Sum(), stats.Succeeded);
        Assert.Equal(stats.Requests, stats.Succeeded);
        Assert.True(stats.Succeeded >= 4);
    }

    [Fact]
    public async Task Cancelling_ends_clients_blocked_on_an_answer()
    {
        var arrived = 0;
        var bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothArrived.TrySetResult();
            }
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });
        using var cancel = new CancellationTokenSource();

        var run = ClosedLoop.RunAsync(server.Url, TimeSpan.FromSeconds(60), clients: 2, TimeSpan.FromSeconds(60), (connection, sent) =>
        {
            connection.Send("GET", "/", null, null, readBody: false);
            return ValueTask.CompletedTask;
        }, cancel.Token);
        await bothArrived.Task.WaitAsync(Timeout);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Timeout));
    }
}
