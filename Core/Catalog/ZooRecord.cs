using System.Text.RegularExpressions;

namespace Know2Vec.Core.Catalog;

/// <summary>A registered zoo: a set of ONNX models under one root directory, described by one manifest.</summary>
/// <param name="Id">URL-safe slug chosen by the caller (see <see cref="IsValidId"/>); the zoo's key everywhere.</param>
/// <param name="Name">Human-readable name from the manifest.</param>
/// <param name="Version">The manifest's zoo version.</param>
/// <param name="Description">Optional description from the manifest.</param>
/// <param name="RootDirectory">Directory the models' <see cref="ModelRecord.File"/> paths are relative to.</param>
/// <param name="CreatedAt">When the zoo was registered.</param>
public sealed partial record ZooRecord(
    string Id,
    string Name,
    string Version,
    string? Description,
    string RootDirectory,
    DateTimeOffset CreatedAt)
{
    /// <summary>
    /// Zoo ids: 1–64 characters of lowercase ASCII letters, digits, '-' and '_', starting with a
    /// letter or digit. Lowercase only, so ids cannot collide on case-insensitive file systems or
    /// URLs; no ':', because model ids are "{zooId}:{manifestModelId}".
    /// </summary>
    public const string IdPattern = "^[a-z0-9][a-z0-9_-]{0,63}$";

    /// <summary>Whether <paramref name="id"/> is a valid zoo id (<see cref="IdPattern"/>).</summary>
    public static bool IsValidId(string? id) => id is not null && IdRegex().IsMatch(id);

    [GeneratedRegex(IdPattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
