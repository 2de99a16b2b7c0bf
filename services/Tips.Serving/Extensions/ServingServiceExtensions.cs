namespace Tips.Serving.Extensions;

/// <summary>Everything Tips.Serving adds to the service defaults, in one place.</summary>
internal static class ServingServiceExtensions
{
    public static IHostApplicationBuilder AddTipsServing(this IHostApplicationBuilder builder) => builder;
}
