using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using GraphNet.Terminal;
using Spectre.Console;
using Xunit;

namespace GraphNet.Tests;

/// <summary>Metrics against hand-computed values; the curve files; the progress reporter's output.</summary>
public class MetricsTests
{
    [Fact]
    public void Frechet_distance_matches_the_closed_form_for_two_dimensional_features()
    {
        // in 2-D, tr √M = √(tr M + 2 √det M) for M = Σa Σb (eigenvalues ≥ 0): an oracle that needs no eigensolver
        var rng = new Rng(5, 1);
        Tensor Draw(int n, float[] mix, float[] shift, ulong stream)
        {
            var x = new Tensor(n, 2);
            for (int r = 0; r < n; r++)
            {
                float u = rng.Normal(stream * 1000 + (ulong)(2 * r)), v = rng.Normal(stream * 1000 + (ulong)(2 * r + 1));
                x.Data[2 * r] = mix[0] * u + mix[1] * v + shift[0];
                x.Data[2 * r + 1] = mix[2] * u + mix[3] * v + shift[1];
            }
            return x;
        }
        static (double[] Mean, double[] Cov) Moments(Tensor x)
        {
            int n = x.Shape[0];
            double mx = 0, my = 0;
            for (int r = 0; r < n; r++) { mx += x.Data[2 * r]; my += x.Data[2 * r + 1]; }
            mx /= n; my /= n;
            double sxx = 0, sxy = 0, syy = 0;
            for (int r = 0; r < n; r++) { double dx = x.Data[2 * r] - mx, dy = x.Data[2 * r + 1] - my; sxx += dx * dx; sxy += dx * dy; syy += dy * dy; }
            return (new[] { mx, my }, new[] { sxx / (n - 1), sxy / (n - 1), sxy / (n - 1), syy / (n - 1) });
        }
        var a = Draw(50, new[] { 1f, 0.3f, -0.2f, 0.7f }, new[] { 0f, 1f }, 1);
        var b = Draw(70, new[] { 2f, 0f, 0.5f, 1.5f }, new[] { 1f, -1f }, 2);
        var (ma, ca) = Moments(a);
        var (mb, cb) = Moments(b);
        double m00 = ca[0] * cb[0] + ca[1] * cb[2], m01 = ca[0] * cb[1] + ca[1] * cb[3], m10 = ca[2] * cb[0] + ca[3] * cb[2], m11 = ca[2] * cb[1] + ca[3] * cb[3];
        double traceRoot = Math.Sqrt(m00 + m11 + 2 * Math.Sqrt(m00 * m11 - m01 * m10));
        double expected = Math.Pow(ma[0] - mb[0], 2) + Math.Pow(ma[1] - mb[1], 2) + ca[0] + ca[3] + cb[0] + cb[3] - 2 * traceRoot;
        Assert.Equal(expected, Metrics.FrechetDistance(a, b), 4);
        Assert.Equal(Metrics.FrechetDistance(a, b), Metrics.FrechetDistance(b, a), 4);
        Assert.Equal(0, Metrics.FrechetDistance(a, a), 4);
        var shifted = new Tensor(a.Shape);
        for (int i = 0; i < a.Length; i++) shifted.Data[i] = a.Data[i] + (i % 2 == 0 ? 3 : -4);
        Assert.Equal(25, Metrics.FrechetDistance(a, shifted), 3);
        var error = Assert.Throws<ArgumentException>(() => Metrics.FrechetDistance(a, new Tensor(5, 3)));
        Assert.Contains("[50, 2] and [5, 3]", error.Message);
    }

    [Fact]
    public void Accuracy_logloss_mse_and_confusion_on_hand_computed_cases()
    {
        var logits = Tensor.FromArray(new float[] { 2, 0, 0, /**/ 0, 1, 3, /**/ 1, 0, 0, /**/ 0, 5, 0 }, 4, 3);
        var labels = Tensor.FromArray(new float[] { 0, 2, 1, 1 }, 4);
        Assert.Equal(0.75, Metrics.Accuracy(logits, labels));
        double expected = new[] { (2f, new[] { 2f, 0, 0 }), (3f, new[] { 0f, 1, 3 }), (0f, new[] { 1f, 0, 0 }), (5f, new[] { 0f, 5, 0 }) }
            .Average(r => Math.Log(r.Item2.Sum(v => Math.Exp(v))) - r.Item1);
        Assert.Equal(expected, Metrics.LogLoss(logits, labels), 6);
        var cm = Metrics.Confusion(logits, labels, 3);
        Assert.Equal(1, cm[1, 0]);
        Assert.Equal(1, cm[1, 1]);
        Assert.Equal(0.5, cm.Recall(1));
        Assert.Equal(0.5, cm.Precision(0));
        Assert.Contains("true\\pred", cm.ToString());

        var binary = Tensor.FromArray(new float[] { -1, 2, 0.5f }, 3);
        var y = Tensor.FromArray(new float[] { 0, 1, 0 }, 3);
        Assert.Equal(2.0 / 3, Metrics.Accuracy(binary, y), 10);
        Assert.Equal(new[] { (-1.0, 0.0), (2, 1), (0.5, 0) }.Average(p => Math.Log(1 + Math.Exp(p.Item1)) - p.Item1 * p.Item2), Metrics.LogLoss(binary, y), 6);
        Assert.Equal(1.0, Metrics.Accuracy(binary, Tensor.FromArray(new float[] { -1, 1, 1 }, 3), plusMinusOne: true));
        Assert.Equal((1 + 4 + 0.25) / 3, Metrics.Mse(binary, Tensor.FromArray(new float[] { 0, 0, 0 }, 3)), 6);
        Assert.Contains("3 predictions but 2 labels", Assert.Throws<ArgumentException>(() => Metrics.Accuracy(binary, new Tensor(2))).Message);
    }

    [Fact]
    public void Training_log_writes_csv_and_a_well_formed_svg()
    {
        var log = new TrainingLog();
        for (int e = 1; e <= 3; e++)
        {
            log.Add(e, "train loss", 1.0 / e);
            log.Add(e, "test accuracy", 0.5 + 0.1 * e);
        }
        Assert.Equal("epoch,train loss,test accuracy\n1,1,0.6\n2,0.5,0.7\n3,0.333,0.8\n", log.ToCsv());
        var svg = XDocument.Parse(log.ToSvg("MLP <MNIST>"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var lines = svg.Descendants(ns + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(3, l.Attribute("points")!.Value.Split(' ').Length));
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "MLP <MNIST>");
        var dir = Path.Combine(Path.GetTempPath(), "graphnet-log-" + Guid.NewGuid().ToString("N"));
        try
        {
            log.Write(Path.Combine(dir, "curve"), "t");
            Assert.True(File.Exists(Path.Combine(dir, "curve.csv")) && File.Exists(Path.Combine(dir, "curve.svg")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Progress_prints_one_line_per_epoch_when_not_interactive()
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });
        new TrainingProgress(console).Run(2, 3, r =>
        {
            for (int e = 0; e < 2; e++)
            {
                for (int s = 0; s < 3; s++) r.Step(1f + e, 10);
                r.EndEpoch("acc 90%");
            }
        });
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("epoch 1/2  loss 1.0000", lines[0]);
        Assert.StartsWith("epoch 2/2  loss 2.0000", lines[1]);
        Assert.Contains("samples/s  acc 90%", lines[1]);
    }
}
