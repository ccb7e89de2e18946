namespace Know2Vec.Core.Zoo;

/// <summary>One reason a manifest was refused, with the JSON location it concerns (e.g. "/models/3/file").</summary>
public sealed record ManifestProblem(string Location, string Message);

/// <summary>A manifest was refused at registration; <see cref="Problems"/> lists every reason.</summary>
public sealed class ManifestValidationException : Exception
{
    public ManifestValidationException(IReadOnlyList<ManifestProblem> problems)
        : base("The zoo manifest is invalid: " + string.Join("; ", problems.Select(p => $"{p.Location}: {p.Message}")))
    {
        Problems = problems;
    }

    public IReadOnlyList<ManifestProblem> Problems { get; }
}
