namespace Tips.Api.Tests.Support;

/// <summary>Waits for something the API does in the background (not a timing assertion: the limit only stops a
/// broken test from hanging).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string? because = null)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"Condition never became true{(because is null ? "" : $": {because}")}.");
    }
}
