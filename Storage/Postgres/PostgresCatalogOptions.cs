using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Storage.Postgres;

/// <summary>Settings of <see cref="PostgresCatalog"/> (distributed mode).</summary>
public sealed class PostgresCatalogOptions
{
    /// <summary>The default schema of the catalog's tables.</summary>
    public const string DefaultSchema = "know2vec";

    /// <summary>
    /// Schema that holds the catalog's tables (created by <see cref="PostgresCatalogSchema.MigrateAsync"/>).
    /// A plain lowercase identifier (<see cref="PostgresCatalogSchema.SchemaPattern"/>), so it is never quoted
    /// wrongly; tests give each test its own schema.
    /// </summary>
    [Required]
    [RegularExpression(PostgresCatalogSchema.SchemaPattern)]
    public string Schema { get; set; } = DefaultSchema;
}
