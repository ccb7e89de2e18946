using System.Security.Cryptography;
using System.Text;
using Know2Vec.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Know2Vec.Api.Hosting;

/// <summary>Marks an endpoint that needs the API key (read by the filter's Swagger companion).</summary>
public sealed class RequiresApiKeyMetadata;

/// <summary>
/// Guards write endpoints: the <c>X-Api-Key</c> header must equal <c>Know2Vec:ApiKey</c>. With no key
/// configured, writes are refused with a 403 that says how to configure one — except in
/// Development, where they are open so that a fresh checkout can be tried at once.
/// </summary>
public sealed class ApiKeyEndpointFilter(IOptionsMonitor<ApiOptions> options, IHostEnvironment environment) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";
    public const string SchemeName = "ApiKey";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var configured = options.CurrentValue.ApiKey;
        if (string.IsNullOrEmpty(configured))
        {
            if (environment.IsDevelopment())
            {
                return await next(context);
            }
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Writes are disabled",
                detail: "No API key is configured, so registering and deleting zoos is refused. Set Know2Vec:ApiKey "
                    + "(e.g. the environment variable Know2Vec__ApiKey) and send it in the X-Api-Key header.");
        }

        var sent = context.HttpContext.Request.Headers[HeaderName];
        if (sent.Count != 1 || !FixedTimeEquals(sent[0], configured))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "API key required",
                detail: sent.Count == 0
                    ? "This endpoint changes the catalog: send the configured API key in the X-Api-Key header."
                    : "The X-Api-Key header does not match the configured API key.");
        }
        return await next(context);
    }

    // Comparing in constant time does not tell an attacker how many leading characters were right.
    internal static bool FixedTimeEquals(string? sent, string configured) =>
        sent is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(configured));
}

/// <summary>Shows the API-key requirement on the guarded operations in Swagger UI (its "Authorize" button).</summary>
internal sealed class ApiKeyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<RequiresApiKeyMetadata>().Any())
        {
            return;
        }
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyEndpointFilter.SchemeName, context.Document)] = [],
        });
    }
}
