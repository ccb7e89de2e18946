using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Know2Vec.Evaluation.Benchmark;
using Spectre.Console;

namespace Know2Vec.Evaluation.Eval;

/// <summary>
/// `eval --out results.json [--split meta-test] [--max-queries N] [--cache DIR] [--alignment DIR]`:
/// runs <see cref="EvalHarness"/> with a progress display, prints the table, writes the JSON and a
/// plot of quality against query time beside it (results.json → results.png).
/// </summary>
public static class EvalCommand
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static int Run(CommandLine cmd)
    {
        var output = cmd.Option("--out");
        if (string.IsNullOrWhiteSpace(output))
        {
            AnsiConsole.MarkupLine("[red]eval needs --out <results.json>[/]");
            return 2;
        }

        var zooManifests = cmd.Option("--zoo-manifests") ?? BenchmarkData.FindZooManifestsDirectory(Directory.GetCurrentDirectory());
        var options = new EvalOptions
        {
            ZooManifestsDirectory = zooManifests,
            CacheDirectory = cmd.CacheDirectory,
            Split = cmd.Option("--split") ?? BenchmarkData.MetaTest,
            MaxQueries = cmd.Option("--max-queries") is { } max ? int.Parse(max, CultureInfo.InvariantCulture) : null,
            AlignmentDirectory = cmd.Option("--alignment") ?? Path.Combine(zooManifests, "alignment", "know2vec-v1"),
        };

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 200; // a log file: keep the table's rows on one line
        }

        AnsiConsole.MarkupLine($"[bold]eval[/] split [blue]{options.Split}[/], cache {Markup.Escape(options.CacheDirectory)}");
        var progress = new SpectreProgress();
        var report = AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                progress.Context = context;
                return await EvalHarness.RunAsync(options, progress, CancellationToken.None);
            })
            .GetAwaiter().GetResult();

        foreach (var note in report.Notes)
        {
            AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        }

        AnsiConsole.Write(Table(report));
        AnsiConsole.Write(CostTable(report.BruteForce));

        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        Directory.CreateDirectory(directory!);
        File.WriteAllText(output, JsonSerializer.Serialize(report, JsonOptions));
        var plot = Path.ChangeExtension(output, ".png");
        if (!ResultsPlot.Save(report, plot))
        {
            AnsiConsole.MarkupLine("[yellow]note:[/] no DejaVuSans.ttf found (apt-get install fonts-dejavu-core): the plot has no text.");
        }

        AnsiConsole.MarkupLine($"wrote {Markup.Escape(output)} and {Markup.Escape(plot)}");
        return 0;
    }

    public static Table Table(EvalReport report)
    {
        var table = new Table()
            .Title($"{report.Split}: {report.Tasks} tasks, {report.Models} models, {report.Queries} query sets")
            .AddColumn("method")
            .AddColumns(
                Right("top1"), Right("top5"), Right("regret@1"), Right("w. tau"), Right("spearman"), Right("ms p50"),
                Right("own-task top1"), Right("within-task top1"), Right("within gap"), Right("top1 class J"));
        foreach (var m in report.Methods)
        {
            table.AddRow(
                Markup.Escape(m.Name), F(m.Top1), F(m.Top5), F(m.RegretAt1), F(m.WeightedTau), F(m.Spearman), Ms(m.QueryMsP50),
                F(m.OwnTaskTop1), F(m.WithinTaskTop1), F(m.WithinTaskGapCaptured), F(m.Top1ClassJaccard));
        }

        return table;
    }

    public static Table CostTable(BruteForceCost c)
    {
        var table = new Table().Title($"brute force vs Know2Vec cost ({c.Provider})").AddColumn("quantity").AddColumn(Right("value"));
        table.AddRow("zoo model forward, ms per model per sample (mean; min-max)", $"{c.ModelMsPerSampleMean:F4} ({c.ModelMsPerSampleMin:F4}-{c.ModelMsPerSampleMax:F4})");
        table.AddRow("LogME per model, ms", $"{c.LogMeMsPerModel:F3}");
        table.AddRow("featurizer, ms per image", $"{c.FeaturizerMsPerImage:F2}");
        table.AddRow("Know2Vec encode + search, ms (p50)", $"{c.Know2VecEncodeSearchMsP50:F2}");
        table.AddRow($"Know2Vec query, n = {c.MedianQueryImages} images (median), ms", $"{c.Know2VecQueryMsEstimate:F1}");
        table.AddRow("brute force per model, tiny benchmark models, ms", $"{c.BruteForceMsPerModelTiny:F3}");
        table.AddRow("[bold]crossover zoo size, tiny models[/]", $"[bold]{c.CrossoverZooSizeTiny:F0}[/]");
        table.AddRow("brute force per model, ResNet18-class models, ms", $"{c.BruteForceMsPerModelRealistic:F1}");
        table.AddRow("[bold]crossover zoo size, ResNet18-class models[/]", $"[bold]{c.CrossoverZooSizeRealistic:F2}[/]");
        return table;
    }

    private static TableColumn Right(string name) => new TableColumn(name).RightAligned();

    private static string F(double v) => double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "-";

    private static string Ms(double v) => v switch
    {
        < 0.1 => v.ToString("F4", CultureInfo.InvariantCulture),
        < 10 => v.ToString("F2", CultureInfo.InvariantCulture),
        _ => v.ToString("F0", CultureInfo.InvariantCulture),
    };

    private sealed class SpectreProgress : IEvalProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public ProgressContext? Context { get; set; }

        public void Stage(string name, int total)
        {
            if (Context is not null)
            {
                _tasks[name] = Context.AddTask(Markup.Escape(name), maxValue: Math.Max(total, 1));
            }
        }

        public void Advance(string name)
        {
            if (_tasks.TryGetValue(name, out var task))
            {
                task.Increment(1);
            }
        }

        public void Note(string message)
        {
            // Printed after the live display ends (writing during it garbles the bars).
        }
    }
}
