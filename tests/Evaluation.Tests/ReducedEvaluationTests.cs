using System.Globalization;
using System.Text.Json;
using Know2Vec.Evaluation.Eval;
using Xunit.Abstractions;

namespace Know2Vec.Evaluation.Tests;

/// <summary>
/// The reduced evaluation: the harness runs end to end on one query set per meta-test task, and the
/// orderings the method promises are asserted — the trained alignment above zero-shot and size,
/// unlabelled queries close to labelled ones on top-5. Every test prints the table so a failure
/// shows the numbers.
/// </summary>
public sealed class ReducedEvaluationTests(ReducedEvaluationFixture fixture, ITestOutputHelper output) : IClassFixture<ReducedEvaluationFixture>
{
    private EvalReport Report => fixture.Report;

    private MethodResult M(string name) => Report.Method(name);

    [Fact]
    public void Covers_the_subset_with_every_method()
    {
        Print();
        Assert.Equal(ReducedEvaluationFixture.Tasks, Report.Tasks);
        Assert.Equal(ReducedEvaluationFixture.Tasks, Report.Queries);
        Assert.Equal(ReducedEvaluationFixture.Models, Report.Models);
        string[] always =
        [
            MethodNames.Random, MethodNames.Size, MethodNames.LabelOverlap, MethodNames.LogMe,
            MethodNames.Know2VecZeroShot, MethodNames.Know2VecUnlabelled, MethodNames.Know2VecRerank,
        ];
        Assert.Subset(Report.Methods.Select(m => m.Name).ToHashSet(), always.ToHashSet());
        foreach (var m in Report.Methods)
        {
            foreach (var v in new[] { m.Top1, m.Top5, m.OwnTaskTop1, m.WithinTaskTop1, m.Top1ClassJaccard })
            {
                Assert.InRange(v, 0, 1);
            }

            Assert.True(m.Top5 >= m.Top1, $"{m.Name}: top5 {m.Top5} < top1 {m.Top1}");
            Assert.InRange(m.RegretAt1, 0, 1);
            Assert.InRange(m.WeightedTau, -1, 1);
            Assert.InRange(m.Spearman, -1, 1);
            Assert.True(m.QueryMsP50 > 0, $"{m.Name}: no time measured");
        }
    }

    [Fact]
    public void Know2Vec_zero_shot_beats_random()
    {
        Print();
        Assert.True(M(MethodNames.Random).Top1 < M(MethodNames.Know2VecZeroShot).Top1);
        Assert.True(M(MethodNames.Random).WeightedTau < M(MethodNames.Know2VecZeroShot).WeightedTau);
    }

    [Fact]
    public void Trained_know2vec_ranks_above_zero_shot_and_size()
    {
        Print();
        var trained = M(MethodNames.Know2Vec);
        Assert.True(trained.WeightedTau > M(MethodNames.Know2VecZeroShot).WeightedTau);
        Assert.True(trained.WeightedTau > M(MethodNames.Size).WeightedTau);
        Assert.True(trained.Top1 >= M(MethodNames.Know2VecZeroShot).Top1);
        Assert.True(trained.Top1 > M(MethodNames.Size).Top1);
        Assert.True(trained.RegretAt1 < M(MethodNames.Know2VecZeroShot).RegretAt1);
    }

    [Fact]
    public void Unlabelled_queries_stay_within_ten_points_of_labelled_on_top5()
    {
        Print();
        Assert.True(M(MethodNames.Know2Vec).Top5 - M(MethodNames.Know2VecUnlabelled).Top5 <= 0.10);
    }

    [Fact]
    public void Logme_beats_random()
    {
        Print();
        Assert.True(M(MethodNames.Random).Top1 < M(MethodNames.LogMe).Top1);
        Assert.True(M(MethodNames.Random).WeightedTau < M(MethodNames.LogMe).WeightedTau);
    }

    [Fact]
    public void Label_overlap_finds_the_task_but_cannot_tell_its_models_apart()
    {
        Print();
        // The real names match the own task's models exactly (Jaccard 1) and no other task's.
        var overlap = M(MethodNames.LabelOverlap);
        Assert.Equal(1, overlap.OwnTaskTop1, 9);
        Assert.Equal(1, overlap.Top1ClassJaccard, 9);
        // Models of one task share their names, so the pick among them is a coin toss: no gap captured.
        Assert.Equal(0, overlap.WithinTaskGapCaptured, 9);
    }

    [Fact]
    public void Rerank_only_reorders_the_top_five()
    {
        Print();
        // It re-orders the service default: the trained alignment when the repository has one.
        var baseMethod = M(Report.Methods.Any(m => m.Name == MethodNames.Know2Vec) ? MethodNames.Know2Vec : MethodNames.Know2VecZeroShot);
        // Re-ordering within the first five cannot change whether a best model is among them.
        Assert.Equal(baseMethod.Top5, M(MethodNames.Know2VecRerank).Top5, 9);
        Assert.True(M(MethodNames.Know2VecRerank).QueryMsP50 >= baseMethod.QueryMsP50);
    }

    [Fact]
    public void Tiny_models_make_brute_force_cheaper_than_featurizing_at_this_zoo_size()
    {
        Print();
        var cost = Report.BruteForce;
        Assert.True(M(MethodNames.LogMe).QueryMsP50 < M(MethodNames.Know2VecZeroShot).QueryMsP50);
        Assert.True(cost.ModelMsPerSampleMean < cost.FeaturizerMsPerImage);
        Assert.True(cost.CrossoverZooSizeTiny > Report.Models);
        // ResNet18-class zoo models cost a featurizer pass each: brute force loses from about two models on.
        Assert.InRange(cost.CrossoverZooSizeRealistic, 0.5, 2);
    }

    [Fact]
    public void Writes_json_and_plot()
    {
        var folder = Path.Combine(Path.GetTempPath(), "know2vec-evaltests-out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var json = Path.Combine(folder, "results.json");
            File.WriteAllText(json, JsonSerializer.Serialize(Report, EvalCommand.JsonOptions));
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            var root = document.RootElement;
            Assert.Equal(ReducedEvaluationFixture.Tasks, root.GetProperty("tasks").GetInt32());
            Assert.Equal(ReducedEvaluationFixture.Tasks, root.GetProperty("queries").GetInt32());
            Assert.Equal(ReducedEvaluationFixture.Models, root.GetProperty("models").GetInt32());
            var first = root.GetProperty("methods")[0];
            foreach (var field in new[] { "name", "top1", "top5", "regretAt1", "weightedTau", "spearman", "queryMsP50", "ownTaskTop1", "withinTaskTop1" })
            {
                Assert.True(first.TryGetProperty(field, out _), field);
            }

            Assert.True(root.GetProperty("bruteForce").TryGetProperty("crossoverZooSizeRealistic", out _));

            var png = Path.Combine(folder, "results.png");
            ResultsPlot.Save(Report, png);
            var header = File.ReadAllBytes(png).Take(8).ToArray();
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, header);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void Print()
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"reduced run: {Report.Tasks} tasks, {Report.Models} models, {Report.Queries} query sets, {fixture.Elapsed.TotalSeconds:F0} s");
        output.WriteLine($"{"method",-20} {"top1",6} {"top5",6} {"regret",7} {"wtau",7} {"spear",7} {"ms p50",9} {"own",6} {"within",7} {"gap",7}");
        foreach (var m in Report.Methods)
        {
            output.WriteLine(string.Format(c, "{0,-20} {1,6:F3} {2,6:F3} {3,7:F3} {4,7:F3} {5,7:F3} {6,9:F2} {7,6:F3} {8,7:F3} {9,7:F3}",
                m.Name, m.Top1, m.Top5, m.RegretAt1, m.WeightedTau, m.Spearman, m.QueryMsP50, m.OwnTaskTop1, m.WithinTaskTop1, m.WithinTaskGapCaptured));
        }

        var b = Report.BruteForce;
        output.WriteLine(string.Format(c, "model {0:F4} ms/sample, featurizer {1:F1} ms/image, crossover tiny {2:F0}, ResNet18-class {3:F2}",
            b.ModelMsPerSampleMean, b.FeaturizerMsPerImage, b.CrossoverZooSizeTiny, b.CrossoverZooSizeRealistic));
        foreach (var note in Report.Notes)
        {
            output.WriteLine("note: " + note);
        }
    }
}
