using Know2Vec.Evaluation;

// dotnet run --project Evaluation -c Release -- <command> [options]
var cmd = new CommandLine(args);
return cmd.Command switch
{
    "zero-shot" => ZeroShotComparison.Run(cmd),
    "export" => Know2Vec.Evaluation.Export.TrainingDataExport.Run(cmd),
    "eval" => Know2Vec.Evaluation.Eval.EvalCommand.Run(cmd),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run --project Evaluation -c Release -- <command> [options]
          zero-shot [--split meta-test|meta-train|all] [--nodes N] [--soft P] [--cache DIR]
              compare parameter-free encoders against the benchmark's ground truth
          export --out DIR [--split meta-train|meta-test|all] [--zoo-manifests DIR] [--probe-pool DIR] [--cache DIR]
              write knowledge tensors, query features and ground truth for tools/align-trainer
          eval --out FILE.json [--split meta-test|meta-train|all] [--max-queries N] [--cache DIR] [--alignment DIR] [--zoo-manifests DIR]
              rank the split's zoo with every method (baselines, LogME brute force, Know2Vec) against the ground truth;
              prints the table and brute-force cost/crossover, writes FILE.json and the plot FILE.png
        """);
    return 2;
}
