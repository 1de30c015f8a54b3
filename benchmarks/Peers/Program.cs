using System;
using System.Collections.Generic;
using System.Linq;
using Benchmarks.Peers;
using GraphNet;
using GraphNet.Runtime;

// GraphNet's side of shared/peers/workloads: the same workloads, shapes, optimizers and timing rule, printed as the
// peers' JSON lines (bench names, config keys and metric keys as in a_mlp.py, b_lenet.py, c_logreg.py,
// e_transformer.py, g_fusion.py, i_lstm.py and machine/gemm.py), so shared/peers/summarize.py shows GraphNet as a column.
// Usage: dotnet run -c Release --project benchmarks/Peers [-- [--threads N] [a_mlp b_lenet c_logreg d_kmeans e_transformer g_fusion i_lstm sgemm eager_op | all]]
int threads = 2;
var which = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--threads" && i + 1 < args.Length && int.TryParse(args[i + 1], out threads) && threads >= 1) { i++; continue; }
    if (args[i] == "--threads") { Console.Error.WriteLine("--threads needs a positive number"); return 2; }
    which.Add(args[i]);
}
var all = new[] { "sgemm", "g_fusion", "c_logreg", "a_mlp", "b_lenet", "d_kmeans", "e_transformer", "f_mf", "i_lstm", "eager_op" };
if (which.Count == 0 || which.Contains("all")) which = all.ToList();
foreach (var w in which.Where(w => !all.Contains(w)))
{
    Console.Error.WriteLine($"unknown workload '{w}'; expected one of: {string.Join(", ", all)}, all");
    return 2;
}
Workers.SetThreads(threads);
foreach (var w in which)
{
    switch (w)
    {
        case "sgemm": Workloads.Sgemm(threads); break;
        case "g_fusion": Workloads.Fusion(threads); break;
        case "c_logreg": Workloads.LogisticRegression(threads); break;
        case "a_mlp": Workloads.Mlp(threads); break;
        case "b_lenet": Workloads.LeNet(threads); break;
        case "e_transformer": Workloads.Transformer(threads); break;
        case "i_lstm": Workloads.CharLstm(threads); break;
        case "d_kmeans": Workloads.KMeans(threads); break;
        case "f_mf": Workloads.MatrixFactorization(threads); break;
        case "eager_op": Workloads.EagerOp(threads); break;
    }
}
return 0;
