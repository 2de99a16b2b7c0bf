using Tips.Doctor.Tests.Support;
using Tips.TestSupport;
using Tips.TestSupport.FakeGateway;

namespace Tips.Doctor.Tests;

/// <summary>The doctor against the fake LiteLLM gateway: healthy, and each way a gateway goes wrong.</summary>
public sealed class GatewayTests
{
    [Fact]
    public async Task A_healthy_system_passes_every_check_and_names_the_model_behind_the_alias()
    {
        await using var world = await DoctorWorld.StartAsync();

        var outcome = await world.RunAsync();

        Assert.Equal(0, outcome.Exit);
        Assert.True(outcome.Report.GetProperty("ok").GetBoolean());
        Assert.Equal(
            ["postgres.reachable", "postgres.migrated", "gateway.alive", "gateway.key", "gateway.aliases", "gateway.completion",
             "gateway.model", "todoist.reachable", "serving.ready", "api.ready"],
            outcome.Checks.Select(c => c.Id));
        outcome.AssertOthersPass();
        var model = outcome["gateway.model"];
        Assert.Equal(FakeLlmGateway.DefaultModel, model.Details["model"]);
        Assert.Equal(world.Gateway.Deployment.Id, model.Details["deployment"]);
        Assert.Contains($"tip-generator is answered by {FakeLlmGateway.DefaultModel}", model.Summary);
        var completion = outcome["gateway.completion"];
        Assert.Contains("with a usable tip", completion.Summary);
        Assert.NotNull(completion.LatencyMs);
        Assert.Equal("stop", completion.Details["finish_reason"]);
    }

    [Fact]
    public async Task The_test_completion_asks_the_alias_in_Tips_Serving_shape_with_the_key()
    {
        await using var world = await DoctorWorld.StartAsync();

        await world.RunAsync();

        var chat = Assert.Single(world.Gateway.ChatRequests);
        Assert.Equal("/v1/chat/completions", chat.Path);
        Assert.Equal("tip-generator", chat.Model);
        Assert.Equal($"Bearer {FakeLlmGateway.DefaultMasterKey}", chat.Authorization);
        Assert.Equal("json_object", chat.Property("response_format")?.GetProperty("type").GetString());
        Assert.Equal(800, chat.Property("max_completion_tokens")?.GetInt32());
        Assert.Equal(["system", "user"], chat.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task The_alias_comes_from_Tips_Serving_settings_not_from_the_doctor()
    {
        await using var world = await DoctorWorld.StartAsync();
        var canary = world.Gateway.AddDeployment("tip-generator-canary", "hosted_vllm/tips-canary-3b");
        world.Variables["Gateway__Alias"] = "tip-generator-canary";
        world.Variables["Gateway__MaxOutputTokens"] = "300";

        var outcome = await world.RunAsync();

        Assert.Equal(0, outcome.Exit);
        var chat = Assert.Single(world.Gateway.ChatRequests);
        Assert.Equal("tip-generator-canary", chat.Model);
        Assert.Equal(300, chat.Property("max_completion_tokens")?.GetInt32());
        Assert.Equal(canary.Model, outcome["gateway.model"].Details["model"]);
    }

    [Fact]
    public async Task A_gateway_that_is_down_fails_the_liveness_check_and_skips_the_rest_of_the_gateway()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["LITELLM_URL"] = ClosedPort.Url().ToString();

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var alive = outcome["gateway.alive"];
        Assert.Equal("fail", alive.Status);
        Assert.Contains("the connection was refused", alive.Summary);
        Assert.Contains("LITELLM_URL", alive.Fix);
        Assert.Equal(["skip", "skip", "skip", "skip"],
            new[] { "gateway.key", "gateway.aliases", "gateway.completion", "gateway.model" }.Select(id => outcome[id].Status));
        outcome.AssertOthersPass("gateway.alive", "gateway.key", "gateway.aliases", "gateway.completion", "gateway.model");
    }

    [Fact]
    public async Task A_gateway_whose_liveness_probe_fails_is_reported_with_its_status()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.Alive = false;

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        Assert.Equal("fail", outcome["gateway.alive"].Status);
        Assert.Contains("answered 503 to GET /health/liveliness", outcome["gateway.alive"].Summary);
        outcome.AssertOthersPass("gateway.alive");
    }

    [Fact]
    public async Task A_wrong_master_key_is_a_401_finding_that_names_the_variable_and_never_shows_a_key()
    {
        const string wrongKey = "sk-wrong-key-5be8d2c91f";
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["LITELLM_MASTER_KEY"] = wrongKey;

        var outcome = await world.RunAsync();
        var (_, text) = await world.RunTextAsync();

        Assert.Equal(1, outcome.Exit);
        var key = outcome["gateway.key"];
        Assert.Equal("fail", key.Status);
        Assert.Equal("The gateway refused LITELLM_MASTER_KEY (401).", key.Summary);
        Assert.Contains("Set LITELLM_MASTER_KEY to the gateway's master key", key.Fix);
        Assert.Equal("skip", outcome["gateway.completion"].Status);
        Assert.Empty(world.Gateway.ChatRequests);
        foreach (var output in new[] { outcome.Output, text })
        {
            Assert.DoesNotContain(wrongKey, output);
            Assert.DoesNotContain(wrongKey[^4..], output);
            Assert.DoesNotContain(FakeLlmGateway.DefaultMasterKey, output);
        }
    }

    [Fact]
    public async Task A_keyed_gateway_without_LITELLM_MASTER_KEY_says_the_key_is_not_set()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["LITELLM_MASTER_KEY"] = null;

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        Assert.Equal("The gateway wants a key (401) and LITELLM_MASTER_KEY is not set.", outcome["gateway.key"].Summary);
    }

    [Fact]
    public async Task A_gateway_that_answers_without_a_key_while_one_is_set_runs_open_and_fails()
    {
        await using var world = await DoctorWorld.StartAsync(masterKey: null);
        world.Variables["LITELLM_MASTER_KEY"] = "sk-expected-to-matter-3f9a";

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var key = outcome["gateway.key"];
        Assert.Equal("fail", key.Status);
        Assert.Contains("answers without any key", key.Summary);
        Assert.Contains("under general_settings", key.Fix);
        Assert.DoesNotContain("sk-expected-to-matter-3f9a", outcome.Output);
    }

    [Fact]
    public async Task An_open_gateway_without_a_key_set_passes()
    {
        await using var world = await DoctorWorld.StartAsync(masterKey: null);

        var outcome = await world.RunAsync();

        Assert.Equal(0, outcome.Exit);
        Assert.Contains("runs open", outcome["gateway.key"].Summary);
        Assert.Null(Assert.Single(world.Gateway.ChatRequests).Authorization);
    }

    [Fact]
    public async Task An_alias_missing_from_v1_models_is_named_with_what_the_gateway_lists_and_no_completion_is_sent()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["Gateway__Alias"] = "tip-writer";

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var aliases = outcome["gateway.aliases"];
        Assert.Equal("fail", aliases.Status);
        Assert.Equal("The gateway does not list tip-writer (it lists: tip-generator).", aliases.Summary);
        Assert.Contains("model_name: tip-writer", aliases.Fix);
        Assert.Contains("infra/litellm/litellm_config.yaml", aliases.Fix);
        Assert.Equal("skip", outcome["gateway.completion"].Status);
        Assert.Empty(world.Gateway.ChatRequests);
        outcome.AssertOthersPass("gateway.aliases", "gateway.completion", "gateway.model");
    }

    [Fact]
    public async Task Further_aliases_the_options_name_must_be_listed_too()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.AddDeployment("embedder", "hosted_vllm/tips-embed");
        world.Variables["Doctor__Aliases"] = "embedder, judge";

        var missing = await world.RunAsync();
        world.Gateway.AddDeployment("judge", "hosted_vllm/tips-judge");
        var listed = await world.RunAsync();

        Assert.Equal(1, missing.Exit);
        Assert.Equal("judge", missing["gateway.aliases"].Details["missing"]);
        missing.AssertOthersPass("gateway.aliases");
        Assert.Equal(0, listed.Exit);
        Assert.Contains("lists tip-generator, embedder, judge", listed["gateway.aliases"].Summary);
    }

    [Fact]
    public async Task A_malformed_test_completion_fails_with_the_parser_reason_and_the_model_is_still_named()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.Enqueue(FakeGatewayReply.Completion("Sure! Here is a tip for you: drink a glass of water before you start."));

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var completion = outcome["gateway.completion"];
        Assert.Equal("fail", completion.Status);
        Assert.Equal("tip-generator answered, but its reply is not usable: the reply holds no JSON object or array (finish_reason: stop).",
            completion.Summary);
        Assert.Contains("choose another model for the alias", completion.Fix);
        outcome.AssertOthersPass("gateway.completion");
    }

    [Fact]
    public async Task A_test_completion_cut_off_at_the_token_limit_points_at_Gateway_MaxOutputTokens()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.Enqueue(FakeGatewayReply.Completion("{\"tips\":[{\"content\":\"Start with the task you", finishReason: "length"));

        var outcome = await world.RunAsync();

        var completion = outcome["gateway.completion"];
        Assert.Equal("fail", completion.Status);
        Assert.Contains("(finish_reason: length)", completion.Summary);
        Assert.Contains("Gateway__MaxOutputTokens", completion.Fix);
    }

    [Fact]
    public async Task Tips_that_fail_Tips_Serving_validation_fail_the_test_completion()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.Enqueue(FakeGatewayReply.Completion("{\"tips\":[{\"content\":\"Stretch.\",\"kind\":\"horoscope\",\"rationale\":\"Stars.\"}]}"));

        var outcome = await world.RunAsync();

        var completion = outcome["gateway.completion"];
        Assert.Equal("fail", completion.Status);
        Assert.Contains("kind \"horoscope\" is not one of", completion.Summary);
    }

    [Fact]
    public async Task A_model_server_the_gateway_cannot_reach_is_reported_with_the_gateway_message()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.Enqueue(FakeGatewayReply.ConnectionError());

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var completion = outcome["gateway.completion"];
        Assert.StartsWith("The gateway got no answer from the model behind tip-generator (500): litellm.APIConnectionError", completion.Summary);
        Assert.Contains("api_base", completion.Fix);
        Assert.Equal("skip", outcome["gateway.model"].Status);
    }

    [Fact]
    public async Task An_answer_that_is_no_chat_completion_says_LITELLM_URL_names_something_else()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.Enqueue(FakeGatewayReply.Raw(200, "<html><body>Welcome to nginx!</body></html>"));

        var outcome = await world.RunAsync();

        Assert.Contains("is not an OpenAI chat completion", outcome["gateway.completion"].Summary);
        Assert.Contains("LITELLM_URL", outcome["gateway.completion"].Fix);
    }

    [Fact]
    public async Task A_gateway_that_does_not_say_which_deployment_answered_fails_the_model_check()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Gateway.SendLiteLlmHeaders = false;

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        Assert.Contains("no x-litellm-model-id header", outcome["gateway.model"].Summary);
        outcome.AssertOthersPass("gateway.model");
    }

    [Fact]
    public async Task Bad_gateway_settings_stop_the_doctor_with_exit_code_2_naming_the_variable()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["LITELLM_URL"] = "litellm:4000";

        var outcome = await world.RunAsync();

        Assert.Equal(2, outcome.Exit);
        Assert.False(outcome.Report.GetProperty("ok").GetBoolean());
        Assert.Contains(outcome.Report.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("LITELLM_URL must be", StringComparison.Ordinal));
    }

    [Fact]
    public async Task For_people_each_failure_comes_with_its_fix_and_a_closing_verdict()
    {
        await using var world = await DoctorWorld.StartAsync();
        var (healthyExit, healthy) = await world.RunTextAsync();
        world.Variables["Gateway__Alias"] = "tip-writer";

        var (exit, text) = await world.RunTextAsync();

        Assert.Equal(0, healthyExit);
        Assert.EndsWith($"All 10 checks passed.{Environment.NewLine}", healthy);
        Assert.Equal(1, exit);
        var lines = text.Split(Environment.NewLine);
        var failure = Array.FindIndex(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
        Assert.Contains("The gateway does not list tip-writer", lines[failure]);
        Assert.StartsWith("        fix:", lines[failure + 1]);
        Assert.Contains("1 of 10 checks failed and 2 were skipped: see the fixes above.", text);
    }
}
