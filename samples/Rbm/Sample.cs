using System;
using System.Linq;
using GraphNet;
using Samples.Shared;

namespace Samples.Rbm;

/// <summary>Test reconstruction error per epoch for CD-1 and persistent CD, and the models (for pictures).</summary>
public sealed record Result(double InitialError, double[] CdError, double[] PcdError, BinaryRbm Cd, BinaryRbm Pcd);

/// <summary>
/// Binarized MNIST-10k (pixels above 0.5 are 1): an RBM trained by CD-1 and one by persistent CD, batch 64, learning
/// rate 0.05, the mean-field reconstruction error of the 2,000 test digits after each epoch.
/// </summary>
public static class Sample
{
    public static (Tensor Train, Tensor Test) Load()
    {
        var (train, test) = MnistClassifier.Load();
        Tensor Binarize(Tensor t) => Tensor.FromArray(t.Data.Select(v => v > 0.5f ? 1f : 0f).ToArray(), t.Shape);
        return (Binarize(train.Features), Binarize(test.Features));
    }

    public static Result Run(int epochs = 5, int batch = 64, float rate = 0.05f, int limit = int.MaxValue, int seed = 1)
    {
        var (train, test) = Load();
        int n = Math.Min(limit, train.Shape[0]);
        var cd = new BinaryRbm(seed: seed);
        var pcd = new BinaryRbm(seed: seed);
        double initial = cd.ReconstructionError(test).ToScalar();
        var cdError = new double[epochs];
        var pcdError = new double[epochs];
        var rows = new Tensor(batch, BinaryRbm.Visible);
        for (int e = 0; e < epochs; e++)
        {
            for (int start = 0; start + batch <= n; start += batch)
            {
                Array.Copy(train.Data, (long)start * BinaryRbm.Visible, rows.Data, 0, (long)batch * BinaryRbm.Visible);
                cd.CdStep(rows, rate);
                pcd.PcdStep(rows, rate);
            }
            cdError[e] = cd.ReconstructionError(test).ToScalar();
            pcdError[e] = pcd.ReconstructionError(test).ToScalar();
        }
        return new Result(initial, cdError, pcdError, cd, pcd);
    }
}
