using Know2Vec.Api.Features.Models;
using Know2Vec.Api.Features.Queries;
using Know2Vec.Api.Features.Zoos;
using Know2Vec.Api.Hosting;
using Know2Vec.Hosting;
using Know2Vec.Hosting.Health;

// dotnet run from a checkout defaults to Development; an environment set in the shell or with
// `-- --environment <name>` wins (LaunchEnvironment).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = LaunchEnvironment.Resolve(args) });

builder.AddKnow2VecServices();   // Core (featurizer, catalog, vectors, method) + jobs: Indexer's composition root
builder.AddKnow2VecApi();        // ProblemDetails, request limits, API key, Swagger, health checks

var app = builder.Build();

app.UseKnow2VecApi();            // error handling, Swagger UI at /swagger, Hangfire dashboard at /hangfire

app.MapKnow2VecHealth();         // /health/live, /health/ready
app.MapZoosApi();                // /zoos
app.MapModelsApi();              // /models
app.MapQueriesApi();             // /queries

app.Run();

/// <summary>The entry point; public so that integration tests can host it.</summary>
public partial class Program;
