using Npgsql;
using Tips.Api.Features.Bandit;
using Tips.TestSupport;

namespace Tips.Api.Tests.HotPath;

/// <summary>The model rows' arrays as Tips.Api reads them: Postgres's binary array format, from a real server.</summary>
public sealed class ModelArraysTests
{
    [Fact]
    public async Task Reads_back_every_number_postgres_sends_exactly()
    {
        var random = new Random(7);
        double[][] arrays =
        [
            [],
            [1.5],
            [0, -0.0, 1e-300, -2.5e10, double.MaxValue, double.MinValue, double.Epsilon],
            [double.NaN, double.PositiveInfinity, double.NegativeInfinity],
            [.. Enumerable.Range(0, BanditFeatures.Dimension * BanditFeatures.Dimension).Select(_ => random.NextDouble() * 1e6 - 5e5)],
        ];
        await using var connection = await OpenAsync();

        foreach (var numbers in arrays)
        {
            await using var command = new NpgsqlCommand("SELECT array_send($1::float8[])", connection)
            {
                Parameters = { new NpgsqlParameter<double[]> { TypedValue = numbers } },
            };
            var sent = (byte[])(await command.ExecuteScalarAsync())!;

            Assert.Equal(numbers, BanditStore.Float8s(sent));
        }
    }

    [Theory]
    [InlineData("ARRAY[1, NULL]::float8[]")]
    [InlineData("ARRAY[[1, 2], [3, 4]]::float8[]")]
    [InlineData("ARRAY[1, 2]::float4[]")]
    public async Task Refuses_an_array_that_is_no_model_s(string array)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT array_send({array})", connection);
        var sent = (byte[])(await command.ExecuteScalarAsync())!;

        Assert.Throws<InvalidDataException>(() => BanditStore.Float8s(sent));
    }

    private static async Task<NpgsqlConnection> OpenAsync()
    {
        var server = await PostgresServer.SharedAsync();
        var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
