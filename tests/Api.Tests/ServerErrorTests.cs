using System.Net;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Knowledge;
using Know2Vec.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Know2Vec.Api.Tests;

/// <summary>An error nobody expected, thrown deep inside a request, reaches the client as a ProblemDetails without its text.</summary>
public sealed class ServerErrorTests
{
    [Theory]
    [InlineData("Testing")]
    [InlineData("Development")] // where ASP.NET Core would otherwise show the developer exception page
    public async Task An_exception_inside_a_handler_is_a_500_problem_without_exception_text(string environment)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, environment: environment, testServices: services =>
            services.AddSingleton<ICatalog>(_ => new CatalogThatFailsOnModelReadsTestDouble(new SqliteCatalog(Path.Combine(dir.DataDirectory, "catalog-double.db")))));
        using var client = app.CreateClient();

        var response = await client.GetAsync("/models/zoo:model");

        var problem = await TestData.AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(CatalogThatFailsOnModelReadsTestDouble.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), text, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(CatalogThatFailsOnModelReadsTestDouble), text, StringComparison.Ordinal); // no stack trace
        Assert.False(problem.TryGetProperty("exception", out _));
        // The detail points to the log by trace id; the id is in the answer.
        Assert.Contains("trace id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));

        // The service itself is unharmed: the next request is answered.
        var zoos = await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK);
        Assert.Empty(zoos.EnumerateArray());
    }

    /// <summary>
    /// Test double of the catalog: a real SQLite catalog whose model reads fail the way a broken
    /// database connection would, with internals in the message that must never reach a client.
    /// (A real storage fault cannot be provoked reliably in-process.)
    /// </summary>
    private sealed class CatalogThatFailsOnModelReadsTestDouble(SqliteCatalog inner) : ICatalog, IDisposable
    {
        public const string Secret = "Host=db.internal;Password=hunter2";

        public Task<ModelRecord?> GetModelAsync(string modelId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"connection '{Secret}' broke while reading {modelId}");

        public Task<IReadOnlyList<ModelRecord>> GetModelsAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"connection '{Secret}' broke while reading {modelIds.Count} models");

        public Task<IReadOnlyList<ZooWithStatus>> ListZoosWithStatusAsync(CancellationToken cancellationToken) => inner.ListZoosWithStatusAsync(cancellationToken);

        public Task<IReadOnlyDictionary<string, KnowledgeTensor>> GetKnowledgeAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken) =>
            inner.GetKnowledgeAsync(modelIds, cancellationToken);

        public Task<bool> TryAddZooAsync(ZooRecord zoo, IReadOnlyList<ModelRecord> models, CancellationToken cancellationToken) => inner.TryAddZooAsync(zoo, models, cancellationToken);

        public Task<ZooRecord?> GetZooAsync(string zooId, CancellationToken cancellationToken) => inner.GetZooAsync(zooId, cancellationToken);

        public Task<IReadOnlyList<ZooRecord>> ListZoosAsync(CancellationToken cancellationToken) => inner.ListZoosAsync(cancellationToken);

        public Task<ZooStatusCounts?> GetZooStatusAsync(string zooId, CancellationToken cancellationToken) => inner.GetZooStatusAsync(zooId, cancellationToken);

        public Task<bool> DeleteZooAsync(string zooId, CancellationToken cancellationToken) => inner.DeleteZooAsync(zooId, cancellationToken);

        public Task<IReadOnlyList<ModelRecord>> ListModelsAsync(ModelFilter filter, CancellationToken cancellationToken) => inner.ListModelsAsync(filter, cancellationToken);

        public Task<bool> SetModelStatusAsync(string modelId, ModelStatus status, string? failureReason, CancellationToken cancellationToken) =>
            inner.SetModelStatusAsync(modelId, status, failureReason, cancellationToken);

        public Task<bool> SaveKnowledgeAsync(string modelId, KnowledgeTensor knowledge, CancellationToken cancellationToken) => inner.SaveKnowledgeAsync(modelId, knowledge, cancellationToken);

        public Task<KnowledgeTensor?> GetKnowledgeAsync(string modelId, CancellationToken cancellationToken) => inner.GetKnowledgeAsync(modelId, cancellationToken);

        public Task<IReadOnlyList<string>> ListModelIdsAsync(ModelStatus? status, CancellationToken cancellationToken) => inner.ListModelIdsAsync(status, cancellationToken);

        public void Dispose() => inner.Dispose();
    }
}
