using Know2Vec.Evaluation;

// dotnet run --project Evaluation -c Release -- <command> [options]
var cmd = new CommandLine(args);
return cmd.Command switch
{
    "zero-shot" => ZeroShotComparison.Run(cmd),
    "export" => Know2Vec.Evaluation.Export.TrainingDataExport.Run(cmd),
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
        """);
    return 2;
}
