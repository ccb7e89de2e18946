using System.Diagnostics;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Transfer;

namespace Know2Vec.Evaluation.Eval;

/// <summary>
/// Measures what brute force costs per model and per sample, what the featurizer costs per image,
/// and from those the zoo size at which a Know2Vec query becomes cheaper than running every model.
/// </summary>
internal static class CostModel
{
    public static BruteForceCost Measure(
        IReadOnlyList<EvalModel> models,
        IFeaturizer featurizer,
        EvalQuery reference,
        int repetitions,
        double know2VecEncodeSearchMs,
        int medianQueryImages,
        string provider,
        Action advance,
        CancellationToken cancellationToken)
    {
        var images = reference.Images;
        var n = images.Count;

        // LogME's first call pays JIT and MathNet start-up; no query would after the first.
        LogMe.ScoreLogits(models[0].Classifier.Predict(images, cancellationToken), reference.LabelIndex);

        var perSample = new List<double>(models.Count);
        var logMeMs = new List<double>(models.Count);
        foreach (var model in models)
        {
            var logits = model.Classifier.Predict(images, cancellationToken); // warm-up, untimed
            var started = Stopwatch.GetTimestamp();
            for (var r = 0; r < repetitions; r++)
            {
                model.Classifier.Predict(images, cancellationToken);
            }

            perSample.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / (repetitions * n));

            started = Stopwatch.GetTimestamp();
            for (var r = 0; r < repetitions; r++)
            {
                LogMe.ScoreLogits(logits, reference.LabelIndex);
            }

            logMeMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / repetitions);
            advance();
        }

        featurizer.Featurize(images, cancellationToken); // warm-up, untimed
        var featurizerStarted = Stopwatch.GetTimestamp();
        for (var r = 0; r < repetitions; r++)
        {
            featurizer.Featurize(images, cancellationToken);
        }

        var featurizerPerImage = Stopwatch.GetElapsedTime(featurizerStarted).TotalMilliseconds / (repetitions * n);
        advance();

        var modelPerSample = perSample.Average();
        var logMe = logMeMs.Average();
        var encodeSearch = double.IsFinite(know2VecEncodeSearchMs) ? know2VecEncodeSearchMs : 0;
        var know2Vec = (medianQueryImages * featurizerPerImage) + encodeSearch;
        var bruteTiny = (medianQueryImages * modelPerSample) + logMe;
        // A realistic zoo model is ResNet18-class: the featurizer IS ImageNet ResNet18 (with its
        // preprocessing, on 224×224 inputs), so its measured cost per image stands in for one
        // forward pass of such a model per sample on this machine.
        var bruteRealistic = (medianQueryImages * featurizerPerImage) + logMe;
        return new BruteForceCost(
            provider,
            n,
            modelPerSample,
            perSample.Min(),
            perSample.Max(),
            logMe,
            featurizerPerImage,
            encodeSearch,
            medianQueryImages,
            know2Vec,
            bruteTiny,
            know2Vec / bruteTiny,
            bruteRealistic,
            know2Vec / bruteRealistic,
            $"A realistic zoo model is taken to cost what a ResNet18 forward pass costs (1.8 GFLOPs at 224x224): "
            + $"the featurizer is ImageNet ResNet18 and measured {featurizerPerImage:F1} ms per image here ({provider}), "
            + $"so brute force over M such models costs M x (n x {featurizerPerImage:F1} + {logMe:F2}) ms. "
            + "Larger models (ResNet50 ~4.1, ViT-B/16 ~17.6 GFLOPs) move the crossover further towards Know2Vec.");
    }
}
