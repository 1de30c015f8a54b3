using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.KMeans;

/// <summary>The best inertia over restarts for each k (the elbow curve), the clusters of the best k = 3 run and how they match iris's species.</summary>
public sealed record Result(int[] Ks, double[] Inertia, int Restarts, int[] Clusters, double SpeciesAgreement, TrainingLog Elbow);

/// <summary>
/// K-means with k-means++ seeding on iris's four raw features: for each k, <c>restarts</c> seedings (each drawn in the
/// compiled program from the model's seeded stream), Lloyd's iterations until the assignment stops changing the
/// inertia, and the best run kept.
/// </summary>
public static class Sample
{
    public static Tensor Load() => Csv.Read(DataFiles.Find("tabular/iris.csv")).Data.Features;

    /// <summary>The slots in use for k clusters: 1 for the first k of <see cref="KMeans.MaxK"/>.</summary>
    public static Tensor Active(int k) => Tensor.FromArray(Enumerable.Range(0, KMeans.MaxK).Select(i => i < k ? 1f : 0f).ToArray(), KMeans.MaxK);

    /// <summary>One run: greedy k-means++ seeding of k centroids, then Lloyd's iterations to convergence; the final inertia.</summary>
    public static double Fit(KMeans model, Tensor x, int k, int maxIterations = 300)
    {
        for (int i = 0; i < k; i++)
        {
            var slot = Tensor.FromArray(Enumerable.Range(0, KMeans.MaxK).Select(j => j == i ? 1f : 0f).ToArray(), KMeans.MaxK);
            model.Seed(x, Active(i), slot, i == 0 ? 1 : 2 + (int)Math.Log(k)); // scikit-learn's number of local trials
        }
        var active = Active(k);
        double previous = double.PositiveInfinity;
        for (int it = 0; it < maxIterations; it++)
        {
            double inertia = model.Step(x, active).ToScalar();
            if (previous - inertia <= 1e-7 * inertia) break; // Lloyd's inertia never rises; it stops when nothing moves
            previous = inertia;
        }
        return model.Evaluate(x, active).inertia.ToScalar();
    }

    public static Result Run(int maxK = KMeans.MaxK, int restarts = 20, int seed = 1)
    {
        if (maxK < 1 || maxK > KMeans.MaxK) throw new ArgumentOutOfRangeException(nameof(maxK), $"maxK must be between 1 and {KMeans.MaxK}, got {maxK}.");
        var x = Load();
        var ks = Enumerable.Range(1, maxK).ToArray();
        var best = new double[maxK];
        var elbow = new TrainingLog { XLabel = "k" };
        int[] clusters = Array.Empty<int>();
        foreach (int k in ks)
        {
            var model = new KMeans(seed: seed + 1000 * k);
            best[k - 1] = double.PositiveInfinity;
            for (int r = 0; r < restarts; r++)
            {
                double inertia = Fit(model, x, k);
                if (inertia < best[k - 1])
                {
                    best[k - 1] = inertia;
                    if (k == 3) clusters = model.Evaluate(x, Active(k)).cluster.Data.Select(c => (int)c).ToArray();
                }
            }
            elbow.Add(k, "inertia", best[k - 1]);
        }
        var species = Csv.Read(DataFiles.Find("tabular/iris.csv")).Data.Targets.Data.Select(t => (int)t).ToArray();
        return new Result(ks, best, restarts, clusters, clusters.Length == 0 ? double.NaN : Agreement(clusters, species), elbow);
    }

    /// <summary>The fraction of points whose cluster's majority species is their own.</summary>
    public static double Agreement(int[] clusters, int[] labels) =>
        clusters.Zip(labels).GroupBy(p => p.First).Sum(g => g.GroupBy(p => p.Second).Max(s => s.Count())) / (double)clusters.Length;
}
