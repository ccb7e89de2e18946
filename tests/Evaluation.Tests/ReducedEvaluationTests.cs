using System.Text.Json;
using Know2Vec.Evaluation.Eval;
using Xunit.Abstractions;

namespace Know2Vec.Evaluation.Tests;

/// <summary>
/// The evaluation's structure and the orderings the method promises beyond the floors
/// (<see cref="QualityFloorTests"/>): every method over every query set, unlabelled queries close
/// to labelled ones on top-5, what label-overlap can and cannot see. Times are reported in the
/// printed table, never asserted (a loaded 2-core machine). Every test prints the table.
/// </summary>
[Collection(EvaluationCollection.Name)]
public sealed class ReducedEvaluationTests(ReducedEvaluationFixture fixture, ITestOutputHelper output)
{
    private EvalReport Report => fixture.Report;

    private MethodResult M(string name) => Report.Method(name);

    [Fact]
    public void Covers_the_meta_test_split_with_every_method()
    {
        Print();
        Assert.Equal(ReducedEvaluationFixture.Tasks, Report.Tasks);
        Assert.Equal(ReducedEvaluationFixture.Queries, Report.Queries);
        Assert.Equal(ReducedEvaluationFixture.Models, Report.Models);
        string[] expected =
        [
            MethodNames.Random, MethodNames.Size, MethodNames.LabelOverlap, MethodNames.LogMe,
            MethodNames.Know2VecZeroShot, MethodNames.Know2Vec, MethodNames.Know2VecUnlabelled, MethodNames.Know2VecRerank,
        ];
        Assert.Equal(expected.Order(), Report.Methods.Select(m => m.Name).Order());
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
    public void Trained_know2vec_ranks_above_size()
    {
        Print();
        var trained = M(MethodNames.Know2Vec);
        Assert.True(trained.WeightedTau > M(MethodNames.Size).WeightedTau);
        Assert.True(trained.Top1 > M(MethodNames.Size).Top1);
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
        // It re-orders the service default: the trained alignment.
        // Re-ordering within the first five cannot change whether a best model is among them.
        Assert.Equal(M(MethodNames.Know2Vec).Top5, M(MethodNames.Know2VecRerank).Top5, 9);
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
            Assert.Equal(ReducedEvaluationFixture.Queries, root.GetProperty("queries").GetInt32());
            Assert.Equal(ReducedEvaluationFixture.Models, root.GetProperty("models").GetInt32());
            var first = root.GetProperty("methods")[0];
            foreach (var field in new[] { "name", "top1", "top5", "regretAt1", "weightedTau", "spearman", "queryMsP50", "ownTaskTop1", "withinTaskTop1" })
            {
                Assert.True(first.TryGetProperty(field, out _), field);
            }

            Assert.True(root.GetProperty("bruteForce").TryGetProperty("crossoverZooSizeRealistic", out _));
            Assert.Equal(Report.Alignments[MethodNames.Know2Vec], root.GetProperty("alignments").GetProperty(MethodNames.Know2Vec).GetString());

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

    private void Print() => EvaluationTable.Print(output, fixture);
}
