using Know2Vec.Core.Alignment;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Knowledge;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Zoo;
using Know2Vec.Evaluation.Benchmark;
using Know2Vec.Evaluation.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Know2Vec.Evaluation.Eval;

/// <summary>Progress of a run: stages with a known number of steps, plus notes for the reader.</summary>
public interface IEvalProgress
{
    void Stage(string name, int total);

    void Advance(string name);

    void Note(string message);
}

/// <summary>
/// The evaluation harness (issue 4): ranks the zoo of a benchmark split (its tasks' models) for
/// every query set of those tasks with each method, and scores the rankings against the
/// ground-truth fits with <see cref="RankingMetrics"/>. Know2Vec runs through the service's own
/// QueryService over a catalog and vector index loaded with the knowledge tensors the indexer
/// stores; baselines see what they need (LogME runs every model, label-overlap sees real names).
/// </summary>
public static class EvalHarness
{
    /// <summary>The trained alignment in <paramref name="directory"/> (tools/align-trainer output), or null when the folder holds none.</summary>
    internal static IAlignment? LoadTrainedAlignment(string directory, OnnxSessionFactory sessions) =>
        TrainedAlignment.Exists(directory) ? TrainedAlignment.Load(directory, sessions) : null;

    public static async Task<EvalReport> RunAsync(EvalOptions options, IEvalProgress? progress, CancellationToken cancellationToken)
    {
        progress ??= NoProgress.Instance;
        var notes = new List<string>();
        void Note(string message)
        {
            notes.Add(message);
            progress.Note(message);
        }

        var data = BenchmarkData.Load(options.ZooManifestsDirectory);
        var loadAtStart = LoadAverage();
        var tasks = data.Tasks
            .Where(t => options.Split == "all" || t.Split == options.Split)
            .Where(t => options.TaskIds is null || options.TaskIds.Contains(t.Id))
            .ToList();
        if (tasks.Count == 0)
        {
            throw new ArgumentException($"no tasks in split '{options.Split}'" + (options.TaskIds is null ? "" : " among the requested ids"));
        }

        var queries = SelectQueries(data, tasks, options);

        using var pipeline = BenchmarkPipeline.Create(data, options.CacheDirectory);
        var (sessions, featurizer, cache) = (pipeline.Sessions, pipeline.Featurizer, pipeline.Cache);

        // The zoo: every model of the selected tasks, registered as the service registers a manifest.
        var registration = ZooRegistry.BuildRecords(data.Manifest, data.ZooManifestsDirectory, DateTimeOffset.UtcNow);
        var manifestModels = tasks.SelectMany(t => t.Models.Select(id => (Task: t, Model: data.Manifest.Models.Single(m => m.Id == id)))).ToList();
        var recordOf = registration.Models.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var zoo = registration with { Models = manifestModels.Select(x => recordOf[x.Model.Id]).ToList() };

        progress.Stage("probe models (cached)", manifestModels.Count);
        var knowledge = new Dictionary<string, KnowledgeTensor>(StringComparer.Ordinal);
        foreach (var (_, model) in manifestModels)
        {
            cancellationToken.ThrowIfCancellationRequested();
            knowledge[recordOf[model.Id].Id] = cache.Knowledge(model);
            progress.Advance("probe models (cached)");
        }

        // Brute force's sessions are created once, before any timing.
        var models = new List<EvalModel>();
        var folder = Path.Combine(Path.GetTempPath(), "know2vec-eval-" + Guid.NewGuid().ToString("N"));
        var services = new List<ServiceUnderTest>();
        using var rerankClassifiers = new ClassifierCache(sessions);
        IAlignment? trained = null;
        try
        {
            foreach (var (i, (task, model)) in manifestModels.Index())
            {
                var path = ManifestValidator.ResolveUnderRoot(data.ZooManifestsDirectory, model.File)!;
                models.Add(new EvalModel(i, model, recordOf[model.Id].Id, task, path, new OnnxClassifier(path, sessions, model.Input)));
            }

            var zeroShot = new ZeroShotAlignment(new float[featurizer.Dimension]); // the service's zero-shot (uncentred)
            trained = options.AlignmentDirectory is { } dir ? LoadTrainedAlignment(dir, sessions) : null;

            async Task<ServiceUnderTest> Service(string name, IAlignment alignment)
            {
                var service = await ServiceUnderTest.CreateAsync(Path.Combine(folder, name), alignment, featurizer, zoo, knowledge, cancellationToken);
                services.Add(service);
                return service;
            }

            var zeroShotService = await Service("zero-shot", zeroShot);
            var trainedService = trained is null ? null : await Service("trained", trained);
            var defaultService = trainedService ?? zeroShotService;
            var defaultMethod = trainedService is null ? MethodNames.Know2VecZeroShot : MethodNames.Know2Vec;
            if (trained is null)
            {
                Note(options.AlignmentDirectory is null
                    ? "know2vec (trained alignment) skipped: no --alignment folder given."
                    : $"know2vec (trained alignment) skipped: {options.AlignmentDirectory} holds no trained alignment (train one with tools/align-trainer).");
                Note($"know2vec-unlabelled and {MethodNames.Know2VecRerank} use the service default: zero-shot ({zeroShot.Version}).");
            }
            else
            {
                Note($"know2vec uses trained alignment {trained.Version}; know2vec-unlabelled and {MethodNames.Know2VecRerank} use it too (the service default).");
            }

            var methods = new List<IEvalMethod>
            {
                MetadataMethod.Random(models, options.Seed),
                MetadataMethod.Size(models),
                MetadataMethod.LabelOverlap(models),
                new LogMeMethod(models),
                new ServiceMethod(MethodNames.Know2VecZeroShot, zeroShotService.Service, models, labelled: true),
            };
            if (trainedService is not null)
            {
                methods.Add(new ServiceMethod(MethodNames.Know2Vec, trainedService.Service, models, labelled: true));
            }

            methods.Add(new ServiceMethod(MethodNames.Know2VecUnlabelled, defaultService.Service, models, labelled: false));
            // The shipped reranker, over the default service's catalog (it finds each model's file from its record and zoo).
            methods.Add(new RerankMethod(MethodNames.Know2VecRerank, defaultMethod, options.RerankTop, models, new ForwardPassReranker(
                defaultService.Catalog, new ModelRunner(defaultService.Catalog, rerankClassifiers), NullLogger<ForwardPassReranker>.Instance)));

            var evalQueries = queries.Select((q, i) => MakeQuery(data, i, q, tasks)).ToList();

            // Warm-up outside the timings: the first featurizer call and the first run of every
            // session pay one-time costs (allocations, kernel selection) that no query would.
            featurizer.Featurize(evalQueries[0].Images.Take(2).ToList(), cancellationToken);
            foreach (var m in models)
            {
                m.Classifier.Predict(evalQueries[0].Images.Take(2).ToList(), cancellationToken);
                // The reranker's own session of the same file, created here rather than in a timed query.
                rerankClassifiers.Get(m.Path, m.Manifest.Sha256, m.Manifest.Input).Predict(evalQueries[0].Images.Take(2).ToList(), cancellationToken);
            }

            var perMethod = methods.ToDictionary(m => m.Name, _ => new List<QueryScores>());
            foreach (var m in methods)
            {
                progress.Stage(m.Name, evalQueries.Count);
            }

            foreach (var query in evalQueries)
            {
                var outcomes = new Dictionary<string, MethodOutcome>(StringComparer.Ordinal);
                foreach (var method in methods)
                {
                    var outcome = await method.RankAsync(query, outcomes, cancellationToken);
                    outcomes[method.Name] = outcome;
                    perMethod[method.Name].Add(Score(data, query, models, outcome));
                    progress.Advance(method.Name);
                }
            }

            var results = methods.Select(m => Aggregate(m.Name, perMethod[m.Name])).ToList();

            progress.Stage("brute-force cost", models.Count + 1);
            var encodeSearch = Percentile(perMethod[defaultMethod].Select(s => s.EncodeSearchMs).ToList(), 0.5);
            var medianImages = (int)Percentile(evalQueries.Select(q => (double)q.Images.Count).ToList(), 0.5);
            var reference = evalQueries.MaxBy(q => q.Images.Count)!;
            var cost = CostModel.Measure(models, featurizer, reference, options.CostRepetitions, encodeSearch, medianImages, sessions.ActiveProvider, () => progress.Advance("brute-force cost"), cancellationToken);

            Note("Query times: random/size/label-overlap = scoring only; logme = every model's forward pass on the query images + LogME; "
                + "know2vec-* = QueryService end to end (featurize the images, group, encode, vector search, class-set rerank); "
                + $"{MethodNames.Know2VecRerank} = that query's {defaultMethod} time + the service's ForwardPassReranker ({options.RerankTop} forward passes + LogME).");
            Note("Score ties (e.g. label-overlap: a task's models share their names) count as random tie-breaks: top1/top5/regret/own-task are expectations over them.");
            if (loadAtStart is not null || LoadAverage() is not null)
            {
                Note($"1-minute load average at start {loadAtStart ?? "?"}, at end {LoadAverage() ?? "?"} on {Environment.ProcessorCount} cores: other processes inflate times.");
            }

            var alignments = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                [MethodNames.Know2VecZeroShot] = await zeroShotService.StoredAlignmentVersionAsync(cancellationToken),
                [MethodNames.Know2VecUnlabelled] = await defaultService.StoredAlignmentVersionAsync(cancellationToken),
                [MethodNames.Know2VecRerank] = await defaultService.StoredAlignmentVersionAsync(cancellationToken),
            };
            if (trainedService is not null)
            {
                alignments[MethodNames.Know2Vec] = await trainedService.StoredAlignmentVersionAsync(cancellationToken);
            }

            return new EvalReport(
                options.Split, tasks.Count, evalQueries.Count, models.Count, tasks.Select(t => t.Id).ToList(), results, cost, notes, alignments);
        }
        finally
        {
            foreach (var service in services)
            {
                service.Dispose();
            }

            foreach (var m in models)
            {
                m.Classifier.Dispose();
            }

            (trained as IDisposable)?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static string? LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? File.ReadAllText(path).Split(' ')[0] : null;
    }

    /// <summary>Query sets of the tasks: per task in benchmark order (capped), then round-robin over tasks (capped in all).</summary>
    internal static List<BenchmarkQuery> SelectQueries(BenchmarkData data, IReadOnlyList<BenchmarkTask> tasks, EvalOptions options)
    {
        var perTask = tasks
            .Select(t => data.Queries.Where(q => q.Task == t.Id).Take(options.QueriesPerTask ?? int.MaxValue).ToList())
            .ToList();
        var roundRobin = Enumerable.Range(0, perTask.Count == 0 ? 0 : perTask.Max(l => l.Count))
            .SelectMany(round => perTask.Where(l => round < l.Count).Select(l => l[round]));
        return roundRobin.Take(options.MaxQueries ?? int.MaxValue).ToList();
    }

    private static EvalQuery MakeQuery(BenchmarkData data, int index, BenchmarkQuery query, IReadOnlyList<BenchmarkTask> tasks)
    {
        var task = tasks.Single(t => t.Id == query.Task);
        var order = query.Classes.Distinct().ToList(); // first appearance
        var labelIndex = query.Classes.Select(c => order.IndexOf(c)).ToArray();
        return new EvalQuery(
            index,
            query,
            task,
            data.QueryImages(query),
            labelIndex,
            labelIndex.Select(i => $"c{i + 1}").ToArray(),
            order.Select(c => task.Labels[IndexOf(task.Classes, c)]).ToHashSet(StringComparer.OrdinalIgnoreCase));
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        throw new InvalidDataException($"class {value} is not one of the task's classes");
    }

    /// <summary>One query's metrics for one method.</summary>
    private sealed record QueryScores(
        double Top1, double Top5, double Regret, double WeightedTau, double Spearman, double Ms,
        double OwnTask, double? WithinTop1, (double Gain, double Possible)? WithinGap, double ClassJaccard, double EncodeSearchMs);

    private static QueryScores Score(BenchmarkData data, EvalQuery query, IReadOnlyList<EvalModel> models, MethodOutcome outcome)
    {
        var row = data.GroundTruth.Queries.ToList().IndexOf(query.Query.Id);
        var columns = data.GroundTruth.Models.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var fit = models.Select(m => data.GroundTruth.Fit[row][columns[m.Manifest.Id]]).ToArray();
        var score = outcome.Scores;

        var top = RankingMetrics.TopScored(score);
        var ownTask = top.Average(i => models[i].Task.Id == query.Task.Id ? 1.0 : 0.0);
        var queryClasses = query.Query.Classes.Distinct().Select(c => (query.Task.Dataset, c)).ToHashSet();
        var jaccard = top.Average(i =>
        {
            var modelClasses = models[i].Classes.ToHashSet();
            var shared = modelClasses.Count(queryClasses.Contains);
            return (double)shared / (modelClasses.Count + queryClasses.Count - shared);
        });

        // Within the task: the query task's own models only (weak vs strong of the same classes).
        var own = models.Where(m => m.Task.Id == query.Task.Id).Select(m => m.Index).ToArray();
        double? withinTop1 = null;
        (double, double)? withinGap = null;
        if (own.Length >= 2)
        {
            var ownFit = own.Select(i => fit[i]).ToArray();
            var ownScore = own.Select(i => score[i]).ToArray();
            withinTop1 = RankingMetrics.Top1(ownFit, ownScore);
            var mean = ownFit.Average();
            var possible = ownFit.Max() - mean;
            if (possible > RankingMetrics.FitTolerance)
            {
                var pick = RankingMetrics.TopScored(ownScore).Average(i => ownFit[i]);
                withinGap = (pick - mean, possible);
            }
        }

        return new QueryScores(
            RankingMetrics.Top1(fit, score),
            RankingMetrics.TopK(fit, score, 5),
            RankingMetrics.RegretAt1(fit, score),
            RankingMetrics.WeightedTau(fit, score),
            RankingMetrics.Spearman(fit, score),
            outcome.Milliseconds,
            ownTask,
            withinTop1,
            withinGap,
            jaccard,
            outcome.Timings is { } t ? t.EncodeMs + t.SearchMs : double.NaN);
    }

    private static MethodResult Aggregate(string name, IReadOnlyList<QueryScores> scores)
    {
        static double Mean(IEnumerable<double> values)
        {
            var finite = values.Where(double.IsFinite).ToList();
            return finite.Count == 0 ? double.NaN : finite.Average();
        }

        var gaps = scores.Where(s => s.WithinGap is not null).Select(s => s.WithinGap!.Value).ToList();
        return new MethodResult(
            name,
            Mean(scores.Select(s => s.Top1)),
            Mean(scores.Select(s => s.Top5)),
            Mean(scores.Select(s => s.Regret)),
            Mean(scores.Select(s => s.WeightedTau)),
            Mean(scores.Select(s => s.Spearman)),
            Percentile(scores.Select(s => s.Ms).ToList(), 0.5),
            Mean(scores.Select(s => s.OwnTask)),
            Mean(scores.Where(s => s.WithinTop1 is not null).Select(s => s.WithinTop1!.Value)),
            gaps.Count == 0 ? double.NaN : gaps.Sum(g => g.Gain) / gaps.Sum(g => g.Possible),
            Mean(scores.Select(s => s.ClassJaccard)),
            Mean(scores.Select(s => s.Ms)));
    }

    /// <summary>Linear-interpolated percentile (as numpy's default) of the finite values; NaN when none.</summary>
    internal static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private sealed class NoProgress : IEvalProgress
    {
        public static readonly NoProgress Instance = new();

        public void Stage(string name, int total)
        {
        }

        public void Advance(string name)
        {
        }

        public void Note(string message)
        {
        }
    }
}
