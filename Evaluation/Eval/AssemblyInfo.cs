using System.Runtime.CompilerServices;

// The reduced evaluation in tests/Evaluation.Tests drives the harness's internals (query selection, plot).
[assembly: InternalsVisibleTo("Know2Vec.Evaluation.Tests")]
