using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Tips.Contracts;

namespace Tips.ServiceDefaults;

/// <summary>Real-shaped examples for every wire contract, shown in Swagger next to each schema.</summary>
internal sealed class ContractExamples : ISchemaFilter
{
    private const string TaskTip = """
        {"id":"019cadfd-8900-7bd4-920e-1001e1cb7b6f","content":"Finish “Send Q1 report”: it is 3 days overdue.",
         "kind":"task","source":"task_direct","rationale":"Overdue by 3 days; urgent.","task_id":"6XGgmFVcrG5RRjVr",
         "task_url":"https://app.todoist.com/app/task/6XGgmFVcrG5RRjVr","served_at":"2026-03-05T09:12:00+00:00"}
        """;

    private const string LlmCandidate = """
        {"id":"llm:0","content":"Block 30 minutes now for “Send Q1 report”.","kind":"task","source":"llm",
         "rationale":"It is overdue and urgent.","task_id":"6XGgmFVcrG5RRjVr","confidence":0.8,
         "model":"ollama_chat/model-of-the-tip-generator-alias","prompt_version":"tips-v1"}
        """;

    private const string Context = """
        {"local_time":"2026-03-05T10:12:00+01:00","timezone":"Europe/Madrid",
         "signals":{"completion_rate_30d":0.42,"dismiss_rate_30d":0.18,"mean_dwell_ms":38000,"preferred_hour":9,"tips_served_30d":57},
         "tasks":[{"id":"6XGgmFVcrG5RRjVr","content":"Send Q1 report","priority":4,"due":"2026-03-02T09:00:00",
                   "is_overdue":true,"due_age_days":3,"labels":["work"]}]}
        """;

    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(Tip)] = TaskTip,
        [typeof(TipsResponse)] = "{\"tips\":[" + TaskTip + "]}",
        [typeof(FeedbackRequest)] = """{"action":"done","dwell_ms":42000}""",
        [typeof(FeedbackResponse)] = """{"tip_id":"019cadfd-8900-7bd4-920e-1001e1cb7b6f","action":"done","reward":1.0}""",
        [typeof(TipCandidate)] = LlmCandidate,
        [typeof(PromptContext)] = Context,
        [typeof(GenerateRequest)] = "{\"context\":" + Context + ",\"count\":5}",
        [typeof(GenerateResponse)] = "{\"candidates\":[" + LlmCandidate + "]," + """
            "prompt_version":"tips-v1","llm_model":"ollama_chat/model-of-the-tip-generator-alias","attempts":1,
            "usage":{"input_tokens":512,"output_tokens":140,"total_tokens":652}}
            """,
        [typeof(IntegrationsResponse)] = """
            {"integrations":[{"provider":"todoist","connected":true,"token_status":"valid","checked_at":"2026-03-05T09:10:00+00:00"}]}
            """,
        [typeof(TodoistTokenRequest)] = """{"token":"<your Todoist API token>"}""",
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var example))
        {
            concrete.Examples = [JsonNode.Parse(example)!];
        }
    }
}
