namespace Know2Vec.Distributed.Tests;

/// <summary>A [Fact] that needs the PostgreSQL server named by KNOW2VEC_TEST_POSTGRES; skipped with that reason when it is unset.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "KNOW2VEC_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: set it to a PostgreSQL connection string to run the distributed tests (.ci/run starts a private cluster and sets it)";
        }
    }
}
