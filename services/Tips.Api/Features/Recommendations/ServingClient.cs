using Refit;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>Tips.Serving, the only way to LLM candidates.</summary>
public interface IServingApi
{
    [Post("/generate")]
    Task<GenerateResponse> GenerateAsync([Body] GenerateRequest request, CancellationToken cancellationToken);
}
