using ScottPlot;

namespace Know2Vec.Evaluation.Eval;

/// <summary>Quality (weighted tau and top-1) of every method against its median query time, log-scaled time axis.</summary>
internal static class ResultsPlot
{
    private static readonly string[] FontFolders =
    [
        "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu", "/usr/local/share/fonts",
    ];

    /// <returns>False when no font was found: the plot is written without text.</returns>
    public static bool Save(EvalReport report, string path, int width = 1100, int height = 700)
    {
        var hasFont = UseFileFont();
        var plot = new Plot();
        var methods = report.Methods.Where(m => m.QueryMsP50 > 0).ToList();
        var x = methods.Select(m => Math.Log10(m.QueryMsP50)).ToArray();

        // One colour per method (legend); the circle is its weighted tau, the square its top-1.
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < methods.Count; i++)
        {
            var color = palette.GetColor(i);
            var (tau, top1) = (Finite(methods[i].WeightedTau), Finite(methods[i].Top1));
            var link = plot.Add.Line(x[i], tau, x[i], top1);
            link.LineWidth = 1.5f;
            link.Color = color.WithAlpha(0.5);

            var tauMarker = plot.Add.Scatter(new[] { x[i] }, new[] { tau }, color);
            tauMarker.LegendText = methods[i].Name;
            tauMarker.LineWidth = 0;
            tauMarker.MarkerSize = 12;
            tauMarker.MarkerShape = MarkerShape.FilledCircle;

            var top1Marker = plot.Add.Scatter(new[] { x[i] }, new[] { top1 }, color);
            top1Marker.LineWidth = 0;
            top1Marker.MarkerSize = 11;
            top1Marker.MarkerShape = MarkerShape.FilledSquare;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => Math.Pow(10, v) is var ms && ms >= 1
                ? ms.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)
                : ms.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        };
        plot.Axes.SetLimitsX(Math.Floor(x.Min()) - 0.2, Math.Ceiling(x.Max()) + 0.2);
        plot.Axes.SetLimitsY(Math.Min(-0.1, methods.Min(m => Math.Min(Finite(m.WeightedTau), Finite(m.Top1))) - 0.05), 1.05);
        plot.Title($"Know2Vec evaluation, {report.Split}: {report.Tasks} tasks, {report.Models} models, {report.Queries} query sets");
        plot.XLabel($"median query time, ms (log scale; {report.BruteForce.Provider})");
        plot.YLabel("quality: ● weighted tau (rank=None)   ■ top-1");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, width, height);
        return hasFont;
    }

    /// <summary>
    /// SkiaSharp's NoDependencies native build has no fontconfig, so family names resolve to an
    /// empty typeface and every label disappears: register a TrueType file directly (DejaVu Sans,
    /// Debian's fonts-dejavu-core) and make it the default.
    /// </summary>
    private static bool UseFileFont()
    {
        foreach (var folder in FontFolders)
        {
            var regular = Path.Combine(folder, "DejaVuSans.ttf");
            if (File.Exists(regular))
            {
                Fonts.AddFontFile("DejaVu Sans", regular, bold: false, italic: false);
                var bold = Path.Combine(folder, "DejaVuSans-Bold.ttf");
                if (File.Exists(bold))
                {
                    Fonts.AddFontFile("DejaVu Sans", bold, bold: true, italic: false);
                }

                Fonts.Default = "DejaVu Sans";
                return true;
            }
        }

        return false;
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;
}
