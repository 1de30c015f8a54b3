using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace GraphNet;

/// <summary>Evaluation metrics over tensors of predictions and targets.</summary>
public static class Metrics
{
    /// <summary>The index of the largest value in each row of [N, C] scores.</summary>
    public static int[] ArgMax(Tensor scores)
    {
        if (scores.Rank != 2) throw new ArgumentException($"ArgMax expects [N, C] scores, got {Tensor.Format(scores.Shape)}.", nameof(scores));
        int n = scores.Shape[0], c = scores.Shape[1];
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < c; j++) if (scores.Data[i * c + j] > scores.Data[i * c + best]) best = j;
            r[i] = best;
        }
        return r;
    }

    /// <summary>
    /// Classification accuracy. Scores [N, C] are compared by arg-max with class indices [N]; scores [N] are binary
    /// (score &gt; <paramref name="threshold"/> is class 1; use 0 for logits or margins, 0.5 for probabilities) against 0/1 labels,
    /// or against ±1 labels when <paramref name="plusMinusOne"/>.
    /// </summary>
    public static double Accuracy(Tensor scores, Tensor labels, float threshold = 0f, bool plusMinusOne = false)
    {
        var predicted = Predict(scores, threshold, plusMinusOne);
        CheckCount(predicted.Length, labels);
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == (int)labels.Data[i]) correct++;
        return predicted.Length == 0 ? 0 : (double)correct / predicted.Length;
    }

    /// <summary>Mean squared error between two tensors of the same length.</summary>
    public static double Mse(Tensor prediction, Tensor target)
    {
        if (prediction.Length != target.Length)
            throw new ArgumentException($"Prediction {Tensor.Format(prediction.Shape)} and target {Tensor.Format(target.Shape)} differ in length.");
        double s = 0;
        for (int i = 0; i < target.Length; i++) { double d = prediction.Data[i] - target.Data[i]; s += d * d; }
        return s / Math.Max(1, target.Length);
    }

    /// <summary>R², the fraction of the target's variance the prediction explains.</summary>
    public static double RSquared(Tensor prediction, Tensor target)
    {
        double mean = 0;
        foreach (var v in target.Data) mean += v;
        mean /= Math.Max(1, target.Length);
        double total = 0;
        foreach (var v in target.Data) total += (v - mean) * (v - mean);
        return 1 - Mse(prediction, target) * target.Length / total;
    }

    /// <summary>
    /// Log-loss (cross-entropy, natural log). Logits [N, C] with class indices [N] (softmax); or binary logits [N]
    /// with 0/1 labels (sigmoid). Computed stably from logits.
    /// </summary>
    public static double LogLoss(Tensor logits, Tensor labels)
    {
        double total = 0;
        if (logits.Rank == 2)
        {
            int n = logits.Shape[0], c = logits.Shape[1];
            CheckCount(n, labels);
            for (int i = 0; i < n; i++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < c; j++) max = Math.Max(max, logits.Data[i * c + j]);
                double sum = 0;
                for (int j = 0; j < c; j++) sum += Math.Exp(logits.Data[i * c + j] - max);
                total += max + Math.Log(sum) - logits.Data[i * c + (int)labels.Data[i]];
            }
            return total / Math.Max(1, n);
        }
        CheckCount(logits.Length, labels);
        for (int i = 0; i < logits.Length; i++)
        {
            double z = logits.Data[i];
            total += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - z * labels.Data[i];
        }
        return total / Math.Max(1, logits.Length);
    }

    /// <summary>
    /// The Fréchet distance between Gaussians fitted to two sets of feature vectors a [N, D] and b [M, D]:
    /// ‖μ_a − μ_b‖² + tr(Σ_a + Σ_b − 2 (Σ_a^½ Σ_b Σ_a^½)^½), the FID when the features come from a classifier's hidden
    /// layer. Covariances are unbiased (N − 1); the square roots come from symmetric eigendecompositions in double.
    /// </summary>
    public static double FrechetDistance(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Shape.Length != 2 || b.Shape.Length != 2 || a.Shape[1] != b.Shape[1] || a.Shape[0] < 2 || b.Shape[0] < 2)
            throw new ArgumentException($"FrechetDistance: expected two feature sets [N, D] and [M, D] with at least two rows each, got {Tensor.Format(a.Shape)} and {Tensor.Format(b.Shape)}.");
        int d = a.Shape[1];
        var (ma, ca) = Moments(a);
        var (mb, cb) = Moments(b);
        double distance = 0;
        for (int i = 0; i < d; i++) distance += (ma[i] - mb[i]) * (ma[i] - mb[i]) + ca[i * d + i] + cb[i * d + i];
        var rootA = SymmetricFunction(ca, d, Math.Sqrt);
        var middle = Multiply(Multiply(rootA, cb, d), rootA, d);
        for (int i = 0; i < d; i++) for (int j = 0; j < i; j++) middle[i * d + j] = middle[j * d + i] = 0.5 * (middle[i * d + j] + middle[j * d + i]);
        var (values, _) = Linalg.Eigh(middle, d);
        foreach (var v in values) distance -= 2 * Math.Sqrt(Math.Max(v, 0));
        return distance;

        static (double[] Mean, double[] Covariance) Moments(Tensor x)
        {
            int n = x.Shape[0], d = x.Shape[1];
            var mean = new double[d];
            for (int r = 0; r < n; r++) for (int i = 0; i < d; i++) mean[i] += x.Data[r * d + i];
            for (int i = 0; i < d; i++) mean[i] /= n;
            var cov = new double[d * d];
            var row = new double[d];
            for (int r = 0; r < n; r++)
            {
                for (int i = 0; i < d; i++) row[i] = x.Data[r * d + i] - mean[i];
                for (int i = 0; i < d; i++) { double ri = row[i]; if (ri == 0) continue; for (int j = i; j < d; j++) cov[i * d + j] += ri * row[j]; }
            }
            for (int i = 0; i < d; i++) for (int j = i; j < d; j++) cov[j * d + i] = cov[i * d + j] /= n - 1;
            return (mean, cov);
        }

        static double[] SymmetricFunction(double[] m, int d, Func<double, double> f)
        {
            var (w, v) = Linalg.Eigh(m, d);
            var r = new double[d * d];
            for (int k = 0; k < d; k++)
            {
                double fk = f(Math.Max(w[k], 0));
                for (int i = 0; i < d; i++) { double vik = v[i * d + k] * fk; for (int j = 0; j < d; j++) r[i * d + j] += vik * v[j * d + k]; }
            }
            return r;
        }

        static double[] Multiply(double[] x, double[] y, int d)
        {
            var r = new double[d * d];
            for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) { double xik = x[i * d + k]; for (int j = 0; j < d; j++) r[i * d + j] += xik * y[k * d + j]; }
            return r;
        }
    }

    /// <summary>Counts [true class, predicted class] over the examples, for <paramref name="classes"/> classes.</summary>
    public static ConfusionMatrix Confusion(Tensor scores, Tensor labels, int classes, float threshold = 0f)
    {
        var predicted = Predict(scores, threshold, false);
        CheckCount(predicted.Length, labels);
        var m = new int[classes, classes];
        for (int i = 0; i < predicted.Length; i++)
        {
            int t = (int)labels.Data[i];
            if ((uint)t >= (uint)classes || (uint)predicted[i] >= (uint)classes)
                throw new ArgumentException($"Example {i}: class {t} or prediction {predicted[i]} is outside 0..{classes - 1}.", nameof(labels));
            m[t, predicted[i]]++;
        }
        return new ConfusionMatrix(m);
    }

    private static int[] Predict(Tensor scores, float threshold, bool plusMinusOne)
    {
        if (scores.Rank == 2 && scores.Shape[1] > 1) return ArgMax(scores);
        var r = new int[scores.Length];
        for (int i = 0; i < r.Length; i++) r[i] = scores.Data[i] > threshold ? 1 : plusMinusOne ? -1 : 0;
        return r;
    }

    private static void CheckCount(int n, Tensor labels)
    {
        if (labels.Length != n) throw new ArgumentException($"{n} predictions but {labels.Length} labels {Tensor.Format(labels.Shape)}.", nameof(labels));
    }
}

/// <summary>Counts[t, p]: examples of true class t predicted as p.</summary>
public sealed class ConfusionMatrix(int[,] counts)
{
    /// <summary>The counts, [true class, predicted class].</summary>
    public int[,] Counts { get; } = counts;

    /// <summary>The number of classes.</summary>
    public int Classes => Counts.GetLength(0);

    /// <summary>The examples of class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    public int this[int truth, int predicted] => Counts[truth, predicted];

    /// <summary>Recall of class c: the fraction of its examples predicted as c.</summary>
    public double Recall(int c)
    {
        int row = 0;
        for (int p = 0; p < Classes; p++) row += Counts[c, p];
        return row == 0 ? 0 : (double)Counts[c, c] / row;
    }

    /// <summary>Precision of class c: the fraction of predictions of c that are right.</summary>
    public double Precision(int c)
    {
        int col = 0;
        for (int t = 0; t < Classes; t++) col += Counts[t, c];
        return col == 0 ? 0 : (double)Counts[c, c] / col;
    }

    /// <summary>A text table: rows are true classes, columns predictions.</summary>
    public override string ToString()
    {
        int width = Math.Max(4, Counts.Cast<int>().Max().ToString(CultureInfo.InvariantCulture).Length + 1);
        var sb = new StringBuilder("true\\pred".PadRight(10));
        for (int p = 0; p < Classes; p++) sb.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        sb.AppendLine();
        for (int t = 0; t < Classes; t++)
        {
            sb.Append(t.ToString(CultureInfo.InvariantCulture).PadRight(10));
            for (int p = 0; p < Classes; p++) sb.Append(Counts[t, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
