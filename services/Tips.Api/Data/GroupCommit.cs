using System.Threading.Channels;

namespace Tips.Api.Data;

/// <summary>
/// Group commit: every item waiting at that moment goes to Postgres in one transaction, and each caller gets its
/// answer once that transaction is committed. Under load one commit carries many callers' work, instead of each
/// paying for round trips and a commit of its own; alone, a caller waits for exactly its own commit. When a shared
/// commit fails, each item is tried on its own, so one bad item cannot take the others with it. What was accepted
/// is written even if its caller stops waiting, and stopping waits until everything accepted is written.
/// </summary>
internal abstract class GroupCommit<TItem, TResult>(ILogger logger) : IHostedService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private Task? _writer;

    /// <summary>What one commit may carry, in <see cref="SizeOf"/> units; more would only make one transaction long.</summary>
    protected abstract int MaxSizePerCommit { get; }

    /// <summary>What an item weighs against <see cref="MaxSizePerCommit"/>.</summary>
    protected virtual int SizeOf(TItem item) => 1;

    /// <summary>Writes <paramref name="items"/> in one transaction and returns each one's result, in order; throws when
    /// nothing was committed.</summary>
    protected abstract Task<IReadOnlyList<TResult>> CommitAsync(IReadOnlyList<TItem> items);

    /// <summary>Completes with the item's result once it is committed; throws what the database threw otherwise.</summary>
    protected Task<TResult> SubmitAsync(TItem item, CancellationToken cancellationToken)
    {
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException($"{GetType().Name} is stopping and accepts no more work.");
        }
        // A caller that gives up stops waiting; its item is still written, as it was accepted.
        return pending.Committed.Task.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        StartWriter();
        return Task.CompletedTask;
    }

    /// <summary>Takes no more items, and returns once every item accepted before is written.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return StartWriter().WaitAsync(cancellationToken);
    }

    private Task StartWriter()
    {
        lock (_lock)
        {
            return _writer ??= Task.Run(WriteAllAsync);
        }
    }

    private async Task WriteAllAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>();
        while (await reader.WaitToReadAsync())
        {
            var size = 0;
            while (size < MaxSizePerCommit && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                size += SizeOf(pending.Item);
            }
            await CommitBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitBatchAsync(List<Pending> batch)
    {
        try
        {
            var results = await CommitAsync([.. batch.Select(p => p.Item)]);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Committed.TrySetResult(results[i]);
            }
            return;
        }
        catch (Exception e) when (batch.Count > 1)
        {
            GroupCommitLog.SharedCommitFailed(logger, batch.Count, e.GetType().Name);
        }
        catch (Exception e)
        {
            batch[0].Committed.TrySetException(e);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                var results = await CommitAsync([pending.Item]);
                pending.Committed.TrySetResult(results[0]);
            }
            catch (Exception e)
            {
                pending.Committed.TrySetException(e);
            }
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Committed);
}

internal static partial class GroupCommitLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A shared commit of {Items} items failed ({ErrorType}); committing each on its own")]
    public static partial void SharedCommitFailed(ILogger logger, int items, string errorType);
}
