using Tips.Api.Endpoints;
using Tips.Api.Extensions;
using Tips.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("Tips API");
builder.AddTipsApi();

var app = builder.Build();

app.UseServiceDefaults();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapTipsEndpoints();
app.MapIntegrationsEndpoints();
app.MapAdminEndpoints();

app.Run();

/// <summary>The entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
