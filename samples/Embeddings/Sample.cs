using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet;

namespace Samples.Embeddings;

/// <summary>A trained embedding's figures: the loss per epoch, the nearest neighbours of the probe words, and the oracle's correlation.</summary>
public sealed record Result(double[] Loss, Dictionary<string, string[]> Neighbours, double Correlation, double CorrelationAtStart, TrainingLog Curve);

public static class Sample
{
    /// <summary>Frequent content words of fortunes.txt whose neighbours the samples print.</summary>
    public static readonly string[] Probes = { "man", "love", "money", "computer", "god", "time", "woman", "never" };

    private static Tensor Pick(float[] source, int[] order, int start, int count)
    {
        var t = new Tensor(count);
        for (int i = 0; i < count; i++) t.Data[i] = source[order[start + i]];
        return t;
    }

    private static void Shuffle(int[] order, ulong seed, ulong epoch)
    {
        var rng = new Rng(seed, 1000 + epoch);
        for (int k = order.Length - 1; k > 0; k--) { int j = (int)(rng.Bits((ulong)k) % (ulong)(k + 1)); (order[k], order[j]) = (order[j], order[k]); }
    }

    private static Dictionary<string, string[]> Neighbours(Corpus corpus, Func<Tensor, (Tensor similarity, Tensor ids)> nearest)
    {
        var (_, ids) = nearest(Tensor.FromArray(Probes.Select(w => (float)corpus[w]).ToArray(), Probes.Length));
        return Probes.Select((w, q) => (w, Enumerable.Range(1, 5).Select(k => corpus.Words[(int)ids[q, k]]).ToArray())).ToDictionary(p => p.w, p => p.Item2);
    }

    /// <summary>Pearson correlation of two series.</summary>
    public static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>
    /// Skip-gram with negative sampling. The oracle (Levy and Goldberg 2014): at its optimum w·c = PMI(w, c) − log k, so the
    /// trained scores of the frequent training pairs correlate with their PMI, counted from the same pairs with the
    /// context distribution smoothed by the same 3/4 power.
    /// </summary>
    public static Result SkipGramRun(int epochs = 5, int batch = 1024, ulong seed = 1, Corpus? corpus = null)
    {
        corpus ??= Corpus.Load();
        var (centers, contexts) = corpus.Pairs(window: 4, seed);
        var model = new SkipGram(seed: (int)seed);
        model.UseCounts(Tensor.FromArray(corpus.Counts, SkipGram.V));
        var (probeWords, probeContexts, pmi) = PmiOfFrequentPairs(centers, contexts);
        double start = Correlation(model.Dot(probeWords, probeContexts).Data.Select(v => (double)v).ToArray(), pmi);
        var optimizer = new Adam(0.005f);
        var order = Enumerable.Range(0, centers.Length).ToArray();
        var curve = new TrainingLog { XLabel = "epoch" };
        var losses = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            Shuffle(order, seed, (ulong)e);
            double sum = 0; int steps = 0;
            for (int s = 0; s + batch <= order.Length; s += batch, steps++)
                sum += model.Step(Pick(centers, order, s, batch), Pick(contexts, order, s, batch), optimizer);
            losses[e] = sum / steps;
            curve.Add(e + 1, "skip-gram loss", losses[e]);
        }
        double end = Correlation(model.Dot(probeWords, probeContexts).Data.Select(v => (double)v).ToArray(), pmi);
        return new Result(losses, Neighbours(corpus, model.Neighbours), end, start, curve);
    }

    /// <summary>The (word, context) pairs seen at least 20 times, and their PMI with the 3/4-smoothed context distribution.</summary>
    private static (Tensor Words, Tensor Contexts, double[] Pmi) PmiOfFrequentPairs(float[] centers, float[] contexts)
    {
        var pairs = new Dictionary<(int, int), int>();
        var wordCount = new double[Corpus.Vocabulary];
        var contextCount = new double[Corpus.Vocabulary];
        for (int i = 0; i < centers.Length; i++)
        {
            var key = ((int)centers[i], (int)contexts[i]);
            pairs[key] = pairs.GetValueOrDefault(key) + 1;
            wordCount[key.Item1]++;
            contextCount[key.Item2]++;
        }
        double total = centers.Length, smoothed = contextCount.Sum(c => Math.Pow(c, 0.75));
        var frequent = pairs.Where(p => p.Value >= 20).OrderBy(p => p.Key).ToList();
        var pmi = frequent.Select(p => Math.Log(p.Value / total / (wordCount[p.Key.Item1] / total * Math.Pow(contextCount[p.Key.Item2], 0.75) / smoothed))).ToArray();
        return (Tensor.FromArray(frequent.Select(p => (float)p.Key.Item1).ToArray(), frequent.Count),
            Tensor.FromArray(frequent.Select(p => (float)p.Key.Item2).ToArray(), frequent.Count), pmi);
    }

    /// <summary>
    /// GloVe by AdaGrad (the paper's optimizer) over the co-occurrence cells in shuffled batches. The oracle: the whole
    /// objective, evaluated after every epoch, never rises, and the fitted values correlate with log X.
    /// </summary>
    public static Result GloVeRun(int epochs = 25, int batch = 4096, ulong seed = 1, Corpus? corpus = null)
    {
        corpus ??= Corpus.Load();
        var (rows, cols, values) = corpus.Cooccurrences(window: 10);
        var all = (Rows: Tensor.FromArray(rows, rows.Length), Cols: Tensor.FromArray(cols, cols.Length), Values: Tensor.FromArray(values, values.Length));
        var logX = values.Select(v => Math.Log(v)).ToArray();
        var model = new GloVe(seed: (int)seed);
        double start = Correlation(model.Predict(all.Rows, all.Cols).Data.Select(v => (double)v).ToArray(), logX);
        var optimizer = new AdaGrad(0.05f);
        var order = Enumerable.Range(0, rows.Length).ToArray();
        var curve = new TrainingLog { XLabel = "epoch" };
        var objective = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            Shuffle(order, seed, (ulong)e);
            for (int s = 0; s < order.Length; s += batch)
            {
                int n = Math.Min(batch, order.Length - s);
                model.Step(Pick(rows, order, s, n), Pick(cols, order, s, n), Pick(values, order, s, n), optimizer);
            }
            objective[e] = model.Objective(all.Rows, all.Cols, all.Values).ToScalar();
            curve.Add(e + 1, "GloVe objective (mean weighted squared error)", objective[e]);
        }
        double end = Correlation(model.Predict(all.Rows, all.Cols).Data.Select(v => (double)v).ToArray(), logX);
        return new Result(objective, Neighbours(corpus, model.Neighbours), end, start, curve);
    }
}
