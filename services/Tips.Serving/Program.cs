using Tips.ServiceDefaults;
using Tips.Serving.Endpoints;
using Tips.Serving.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("Tips Serving");
builder.AddTipsServing();

var app = builder.Build();

app.UseServiceDefaults();

app.MapDefaultEndpoints();
app.MapGenerateEndpoints();

app.Run();

/// <summary>The entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
