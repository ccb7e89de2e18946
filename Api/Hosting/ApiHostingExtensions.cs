using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Hangfire;
using Hangfire.Dashboard;
using Know2Vec.Api.Features.Zoos;
using Know2Vec.Hosting;
using Know2Vec.Hosting.Health;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Know2Vec.Api.Hosting;

/// <summary>How the Api process is put together; Program.cs calls these in order.</summary>
public static class ApiHostingExtensions
{
    /// <summary>The rate-limiter policy of the expensive endpoints (queries, predictions).</summary>
    public const string AdmissionPolicy = "admission";

    /// <summary>Core services and background jobs (the Indexer project's composition root).</summary>
    public static WebApplicationBuilder AddKnow2VecServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddKnow2VecCore(builder.Configuration).AddKnow2VecJobs();
        return builder;
    }

    /// <summary>The HTTP surface: errors as ProblemDetails, request limits, Swagger, health checks.</summary>
    public static WebApplicationBuilder AddKnow2VecApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Kestrel's body limit can end a request before any handler runs; say which limit it was.
            if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && context.ProblemDetails.Detail is null)
            {
                var limits = context.HttpContext.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.Limits;
                context.ProblemDetails.Title = "Request too large";
                context.ProblemDetails.Detail = ProblemExceptionHandler.TooLarge(limits).Detail;
            }
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures throw BadHttpRequestException in every environment, so that the exception
        // handler answers them with a ProblemDetails (otherwise: a bare 400 outside Development).
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);

        // Limits come from Know2Vec:Limits, read when the server starts (never before Build, so tests
        // and hosts can still add configuration).
        services.AddOptions<FormOptions>().Configure<IOptions<ApiOptions>>((form, know2vec) =>
        {
            var limits = know2vec.Value.Limits;
            form.MultipartBodyLengthLimit = limits.MaxUploadBytes;
            form.ValueLengthLimit = Math.Max(limits.MaxManifestBytes, 4096);
            // Images and labels are one form entry each; leave room for the other fields.
            form.ValueCountLimit = Math.Max(1024, (2 * limits.MaxImagesPerQuery) + 64);
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, know2vec) =>
            kestrel.Limits.MaxRequestBodySize = know2vec.Value.Limits.MaxUploadBytes);

        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Admission control: queries and predictions run a few at a time; beyond the queue, 429 at once.
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(AdmissionPolicy, context =>
            {
                var admission = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.Admission;
                return RateLimitPartition.GetConcurrencyLimiter(AdmissionPolicy, _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = admission.EffectiveMaxConcurrent,
                    QueueLimit = admission.EffectiveQueueLength,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var admission = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.Admission;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = admission.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"{admission.EffectiveMaxConcurrent} queries or predictions run at once and {admission.EffectiveQueueLength} may wait "
                            + $"(Know2Vec:Admission); all are taken. Retry after {admission.RetryAfterSeconds} s.",
                    },
                });
            };
        });

        services.AddSingleton<ApiKeyEndpointFilter>();
        services.AddHostedService<WriteAccessNotice>();
        services.AddSingleton<HangfireDashboardAccess>();
        services.AddSingleton<ZooUploads>();
        services.AddHostedService<LeftoverUploadsCleanup>();

        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Know2Vec",
                Version = "v1",
                Description = "Model-zoo retrieval: register zoos of ONNX classifiers, then post a few samples and get the best-fitting models.",
            });
            swagger.AddSecurityDefinition(ApiKeyEndpointFilter.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyEndpointFilter.HeaderName,
                Description = "Required by write endpoints (POST and DELETE /zoos): the value of Know2Vec:ApiKey.",
            });
            swagger.OperationFilter<ApiKeyOperationFilter>();
            swagger.OperationFilter<ZooRegistrationBodyFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "Know2Vec.Api.xml");
            if (File.Exists(xml))
            {
                swagger.IncludeXmlComments(xml);
            }
        });

        services.AddKnow2VecHealthChecks(servesQueries: true);
        return builder;
    }

    /// <summary>Middleware: errors, status-code pages, Swagger UI, Hangfire dashboard.</summary>
    public static WebApplication UseKnow2VecApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // bare 404/405/415 become ProblemDetails too
        app.UseRateLimiter();     // admission of queries and predictions (health endpoints are not limited)

        app.UseSwagger();
        app.UseSwaggerUI(ui =>
        {
            ui.DocumentTitle = "Know2Vec API";
            ui.SwaggerEndpoint("/swagger/v1/swagger.json", "Know2Vec v1");
        });

        // The job dashboard can re-queue and delete jobs: HangfireDashboardAccess says who may look
        // and who may act. Refusals are answered here, as ProblemDetails, before Hangfire runs.
        var access = app.Services.GetRequiredService<HangfireDashboardAccess>();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(HangfireDashboardAccess.Path), dashboard => dashboard.Use(async (context, next) =>
        {
            var (decision, status, title, detail) = access.Decide(context);
            if (decision == DashboardAccess.Refused)
            {
                if (status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = $"{ApiKeyEndpointFilter.SchemeName} header=\"{ApiKeyEndpointFilter.HeaderName}\"";
                }
                await TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
                return;
            }
            await next(context);
        }));
        app.UseHangfireDashboard(HangfireDashboardAccess.Path, new DashboardOptions
        {
            DashboardTitle = "Know2Vec jobs",
            Authorization = [new HangfireDashboardAuthorization(access)],
            IsReadOnlyFunc = context => access.Decide(context.GetHttpContext()).Access != DashboardAccess.Full,
        }, app.Services.GetRequiredService<JobStorage>());
        return app;
    }
}
