using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.Pca;

/// <summary>PCA's explained-variance ratios and reconstruction error on the digits, and the linear autoencoder's error.</summary>
public sealed record Result(float[] Ratios, double PcaError, double AutoencoderError, TrainingLog Curve);

/// <summary>PCA of the 1797 8×8 digits (64 features) and a linear autoencoder trained full-batch with Adam on them.</summary>
public static class Sample
{
    public static Result Run(int steps = 3000, float learningRate = 0.01f, int seed = 1)
    {
        var x = Csv.Read(DataFiles.Find("tabular/digits8x8.csv")).Data.Features;
        var pca = new PrincipalComponents();
        pca.FitAxes(x);
        var ratios = pca.ExplainedVarianceRatios().Data.Take(PrincipalComponents.Components).ToArray();
        double pcaError = pca.Error(x).ToScalar();
        var ae = new LinearAutoencoder(seed: seed);
        var opt = new Adam(learningRate) { Schedule = Schedule.Cosine(steps, 0.01f) };
        var curve = new TrainingLog { XLabel = "step" };
        for (int s = 1; s <= steps; s++)
        {
            float loss = ae.Step(x, opt);
            if (s % 100 == 0) { curve.Add(s, "autoencoder", loss); curve.Add(s, "PCA (the optimum)", pcaError); }
        }
        return new Result(ratios, pcaError, ae.Error(x).ToScalar(), curve);
    }
}
