using Know2Vec.Core.Zoo;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Know2Vec.Api.Features.Zoos;

/// <summary>
/// Documents the two bodies POST /zoos reads itself: a JSON manifest, or a multipart form with the
/// manifest and the .onnx files (a file picker in Swagger UI).
/// </summary>
internal sealed class ZooRegistrationBodyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ZooRegistrationBodyMetadata>().Any())
        {
            return;
        }

        var form = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "manifest" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["manifest"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The zoo manifest (JSON text)." },
                ["files"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                    Description = "The .onnx files, each uploaded under the file name its manifest entry gives.",
                },
            },
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "A JSON manifest whose files lie under Know2Vec:ZooRoot, or a multipart upload of the manifest with its files.",
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(typeof(ZooManifest), context.SchemaRepository) },
                ["multipart/form-data"] = new OpenApiMediaType { Schema = form },
            },
        };
    }
}
