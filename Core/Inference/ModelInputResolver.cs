using System.Globalization;
using Know2Vec.Core.Zoo;

namespace Know2Vec.Core.Inference;

/// <summary>
/// Turns a model file's input dimensions and its manifest's declaration into the input the service
/// feeds: one place for registration (which refuses a declaration the file contradicts) and for every
/// forward pass (which fills the file's dynamic dimensions from the declaration).
/// </summary>
public static class ModelInputResolver
{
    /// <summary>Default bound on input values per image (C·H·W) a declaration may ask for: 3 × 1024 × 1024.</summary>
    public const long DefaultMaxInputValues = 3L * 1024 * 1024;

    /// <summary>
    /// The input to feed. With a declaration, its <c>shape</c> ([C,H,W], [H,W] or a flat [L]) and
    /// <c>layout</c> (NCHW, NHWC, flat; inferred from the file when absent) must agree with every fixed
    /// dimension of the file, and fill the dynamic ones. Without one, the file alone must fix height and width.
    /// </summary>
    /// <param name="name">The input's name.</param>
    /// <param name="dimensions">The file's dimensions, batch first; null where dynamic.</param>
    /// <param name="symbolic">The file's names of dynamic dimensions (for messages); null where none.</param>
    /// <param name="declared">The manifest's declaration, or null.</param>
    /// <param name="maxInputValues">Most values per image (C·H·W, computed in 64 bits) accepted.</param>
    /// <exception cref="ModelInputNotSupportedException">The file and the declaration disagree, or the input cannot take an image.</exception>
    public static ModelInputSpec Resolve(
        string name, IReadOnlyList<long?> dimensions, IReadOnlyList<string?> symbolic, ManifestInput? declared, long maxInputValues = DefaultMaxInputValues)
    {
        var shown = Show(dimensions.Select((d, i) => d?.ToString(CultureInfo.InvariantCulture) ?? symbolic.ElementAtOrDefault(i) ?? "?"));
        var rank = dimensions.Count;
        var layout = LayoutOf(name, shown, dimensions, declared);
        int? batch = rank > 0 && dimensions[0] is { } b ? (int)b : null;

        long[] wanted; // the dimensions after the batch, in the file's order
        long channels, height, width;
        if (declared is null)
        {
            (channels, height, width) = FromFile(name, shown, layout, dimensions);
            wanted = [];
        }
        else
        {
            // The declared shape is the input's shape without the batch, in the file's order:
            // [C,H,W] for NCHW, [H,W,C] for NHWC, [H,W] for [N,H,W], [H·W] for a flat input.
            wanted = declared.Shape.Select(v => (long)v).ToArray();
            (channels, height, width) = FromDeclaration(name, wanted, layout);
            var declaredText = $"{Show(declared.Shape.Select(v => v.ToString(CultureInfo.InvariantCulture)))} ({LayoutName(layout)})";
            if (rank != wanted.Length + 1)
            {
                throw new ModelInputNotSupportedException(
                    $"the manifest declares {declaredText}, a rank-{wanted.Length + 1} input with the batch; the file's input '{name}' is {shown}, rank {rank}.");
            }

            for (var i = 0; i < wanted.Length; i++)
            {
                if (dimensions[i + 1] is { } fixedInFile && fixedInFile != wanted[i])
                {
                    throw new ModelInputNotSupportedException(
                        $"the manifest declares {declaredText}; the file's input '{name}' is {shown}: dimension {i + 1} is {fixedInFile} in the file, {wanted[i]} in the declaration.");
                }
            }
        }

        if (channels is not (1 or 3))
        {
            throw new ModelInputNotSupportedException($"input '{name}' {shown}: the channel axis holds {channels}; 1 (grey) or 3 (colour) channels are supported.");
        }

        var values = channels * height * width;
        if (height <= 0 || width <= 0)
        {
            throw new ModelInputNotSupportedException($"input '{name}' {shown}: height and width are dynamic; declare them in the manifest's input.shape.");
        }

        if (values > Math.Min(maxInputValues, int.MaxValue))
        {
            throw new ModelInputNotSupportedException(
                $"input '{name}' takes {channels}×{height}×{width} = {values} values per image; at most {Math.Min(maxInputValues, int.MaxValue)} are accepted (Know2Vec:Probing:MaxInputValues).");
        }

        return new ModelInputSpec(name, layout, (int)channels, (int)height, (int)width, batch);
    }

    private static ModelInputLayout LayoutOf(string name, string shown, IReadOnlyList<long?> file, ManifestInput? declaration)
    {
        var rank = file.Count;
        var declared = declaration?.Layout;
        // Where the file leaves a dimension dynamic, the declared shape (file order, no batch) tells.
        var d = file.Select((v, i) => v ?? (i > 0 && declaration?.Shape.Count == rank - 1 ? declaration.Shape[i - 1] : null)).ToArray();
        var layout = declared?.ToUpperInvariant() switch
        {
            "NCHW" => ModelInputLayout.Nchw,
            "NHWC" => ModelInputLayout.Nhwc,
            "FLAT" => ModelInputLayout.Flat,
            _ => rank switch
            {
                4 when d[1] is not (1 or 3) && d[3] is 1 or 3 => ModelInputLayout.Nhwc,
                4 => ModelInputLayout.Nchw,
                3 => ModelInputLayout.Nhw,
                2 => ModelInputLayout.Flat,
                _ => throw new ModelInputNotSupportedException(
                    $"input '{name}' {shown} has rank {rank}; supported: [N,C,H,W], [N,H,W,C], [N,H,W], [N,H·W]."),
            },
        };
        var expectedRank = layout switch { ModelInputLayout.Flat => 2, ModelInputLayout.Nhw => 3, _ => 4 };
        if (rank != expectedRank)
        {
            throw new ModelInputNotSupportedException(
                $"the manifest declares layout {declared}, a rank-{expectedRank} input with the batch; the file's input '{name}' is {shown}, rank {rank}.");
        }

        return layout;
    }

    // No declaration: the file must fix what is fed (the behaviour of manifests without a usable shape).
    private static (long C, long H, long W) FromFile(string name, string shown, ModelInputLayout layout, IReadOnlyList<long?> d)
    {
        long Fixed(long? v) => v ?? -1;
        switch (layout)
        {
            case ModelInputLayout.Nchw:
                return (Fixed(d[1]), Fixed(d[2]), Fixed(d[3]));
            case ModelInputLayout.Nhwc:
                return (Fixed(d[3]), Fixed(d[1]), Fixed(d[2]));
            case ModelInputLayout.Nhw:
                return (1, Fixed(d[1]), Fixed(d[2]));
            default:
                if (d[1] is not { } length)
                {
                    throw new ModelInputNotSupportedException($"input '{name}' {shown}: the flattened size is dynamic and cannot be inferred.");
                }

                var side = (long)Math.Round(Math.Sqrt(length));
                return side * side == length
                    ? (1, side, side)
                    : throw new ModelInputNotSupportedException($"input '{name}' {shown}: a flattened input must be a square grey image (H·W with H = W).");
        }
    }

    private static (long C, long H, long W) FromDeclaration(string name, long[] s, ModelInputLayout layout)
    {
        switch (layout)
        {
            case ModelInputLayout.Nchw when s.Length == 3:
                return (s[0], s[1], s[2]);
            case ModelInputLayout.Nhwc when s.Length == 3:
                return (s[2], s[0], s[1]);
            case ModelInputLayout.Nhw when s.Length == 2:
                return (1, s[0], s[1]);
            case ModelInputLayout.Flat when s.Length == 1 && (long)Math.Round(Math.Sqrt(s[0])) is var side && side * side == s[0]:
                return (1, side, side);
            default:
                throw new ModelInputNotSupportedException(
                    $"the manifest declares shape {Show(s.Select(v => v.ToString(CultureInfo.InvariantCulture)))} for input '{name}', "
                    + $"which does not fit a {LayoutName(layout)} input: give [C,H,W] for NCHW, [H,W,C] for NHWC, [H,W] for [N,H,W], or a square [H·W] for a flat input.");
        }
    }

    private static string LayoutName(ModelInputLayout layout) => layout switch
    {
        ModelInputLayout.Nchw => "NCHW",
        ModelInputLayout.Nhwc => "NHWC",
        ModelInputLayout.Flat => "flat",
        _ => "NHW",
    };

    private static string Show(IEnumerable<string> values) => "[" + string.Join(',', values) + "]";
}
