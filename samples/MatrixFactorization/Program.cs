using System;
using GraphNet;
using Samples.MatrixFactorization;

// Matrix factorization of a synthetic 300×200 ratings matrix (rank-4 truth, noise 0.1): mini-batch gradient steps
// ([Train], Adam) beside alternating least squares ([Update], a batch of ridge solves per sweep).
var r = Sample.Run();
Console.WriteLine($"SGD (Adam), {r.SgdTestRmse.Length} epochs: test RMSE {r.SgdTestRmse[^1]:F4}");
Console.WriteLine($"ALS, {r.AlsTestRmse.Length} sweeps: test RMSE {r.AlsTestRmse[^1]:F4} (objective {r.AlsObjective[0]:F1} → {r.AlsObjective[^1]:F1})");
Console.WriteLine($"noise level: {r.Noise:F4}");
r.Curve.Write("runs/mf-test-rmse", "matrix factorization: test RMSE");
Console.WriteLine("wrote runs/mf-test-rmse.csv, runs/mf-test-rmse.svg");
