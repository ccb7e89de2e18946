using System.Diagnostics;
using Know2Vec.Core.Featurization;
using Xunit.Abstractions;

namespace Know2Vec.Core.Tests;

/// <summary>
/// Prints featurizer cost: a measurement, not a check (machines differ, so nothing is asserted about
/// times), hence skipped unless asked for. See it with
/// <c>KNOW2VEC_MEASURE_FEATURIZER=1 dotnet test tests/Core.Tests --filter FeaturizerCostReport --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(FeaturizerCollection.Name)]
public sealed class FeaturizerCostReport(FeaturizerFixture fixture, ITestOutputHelper output)
{
    public const string Variable = "KNOW2VEC_MEASURE_FEATURIZER";

    [FeaturizerMeasurementFact]
    public void Reports_load_time_and_milliseconds_per_image()
    {
        var started = Stopwatch.StartNew();
        using (var fresh = FeaturizerFixture.Create(new FeaturizerOptions()))
        {
            output.WriteLine($"load (edit graphs + 2 sessions): {fresh.LoadTime.TotalMilliseconds:F0} ms; with dispose {started.ElapsedMilliseconds} ms");
        }

        var shapes = TestImages.Shapes();
        var images = Enumerable.Range(0, 64).Select(i => shapes[i % shapes.Count]).ToArray();
        fixture.Featurizer.Featurize(images[..32]); // warm-up

        started.Restart();
        var features = fixture.Featurizer.Featurize(images);
        var perImage = started.Elapsed.TotalMilliseconds / images.Length;
        output.WriteLine($"featurize {images.Length} images at batch 32: {started.ElapsedMilliseconds} ms, {perImage:F1} ms/image");

        started.Restart();
        foreach (var image in images[..8])
        {
            fixture.Featurizer.Featurize([image]);
        }

        output.WriteLine($"featurize one at a time: {started.Elapsed.TotalMilliseconds / 8:F1} ms/image");
        Assert.Equal(images.Length, features.Length);
    }
}

/// <summary>Runs only when asked (<see cref="FeaturizerCostReport.Variable"/>=1); skipped with the reason otherwise.</summary>
public sealed class FeaturizerMeasurementFactAttribute : FactAttribute
{
    public FeaturizerMeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(FeaturizerCostReport.Variable) != "1")
        {
            Skip = $"a measurement: set {FeaturizerCostReport.Variable}=1 to run it";
        }
    }
}
