// Violating sample for the contracts rule: test data, never compiled.
using Microsoft.AspNetCore.Http;

namespace Tips.Contracts;

[Microsoft.EntityFrameworkCore.Owned]
public sealed record Tip(string Id, string Content, IResult? Links);
