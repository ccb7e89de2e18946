using Know2Vec.Core.Inference;

namespace Know2Vec.Core.Tests;

/// <summary>Runs the committed benchmark zoo's real models (exported by torch.onnx.export) when they are present.</summary>
public sealed class ZooModelTests
{
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var path in ZooModelTheoryAttribute.ModelFiles())
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [ZooModelTheory]
    [MemberData(nameof(Models))]
    public void Real_zoo_model_runs_batched_like_one_at_a_time(string file)
    {
        var path = ZooModelTheoryAttribute.ModelFiles().Single(p => Path.GetFileName(p) == file);
        using var classifier = new OnnxClassifier(path, FeaturizerFixture.CpuSessions());
        var images = TestImages.Shapes();

        var logits = classifier.Predict(images);

        Assert.Equal((1, 28, 28), (classifier.Input.Channels, classifier.Input.Height, classifier.Input.Width));
        Assert.All(logits, row => Assert.Equal(logits[0].Length, row.Length));
        Assert.InRange(logits[0].Length, 2, 1000);
        Assert.All(logits, row => Assert.Equal(1f, OnnxClassifier.Softmax(row).Sum(), 1e-4f));
        for (var i = 0; i < images.Count; i += 7)
        {
            var single = classifier.Predict([images[i]])[0];
            Assert.All(single.Zip(logits[i]), p => Assert.Equal(p.First, p.Second, 1e-4f));
        }
    }
}

/// <summary>Skips when zoo-manifests/benchmark/models has no .onnx files (the zoo is built by tools/zoo-builder).</summary>
public sealed class ZooModelTheoryAttribute : TheoryAttribute
{
    public ZooModelTheoryAttribute()
    {
        if (ModelFiles().Count == 0)
        {
            Skip = "No zoo-manifests/benchmark/models/*.onnx in this checkout.";
        }
    }

    public static IReadOnlyList<string> ModelFiles()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Know2Vec.sln")))
            {
                var models = Path.Combine(dir.FullName, "zoo-manifests", "benchmark", "models");
                return Directory.Exists(models) ? Directory.GetFiles(models, "*.onnx").Order(StringComparer.Ordinal).ToArray() : [];
            }
        }

        return [];
    }
}
