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
    public void Training_log_writes_csv_and_plots_through_scottplot()
    {
        var log = new TrainingLog();
        for (int e = 1; e <= 3; e++)
        {
            log.Add(e, "train loss", 2.0 / e);
            log.Add(e, "test accuracy", 0.5 + 0.1 * e);
        }
        Assert.Equal("epoch,train loss,test accuracy\n1,2,0.6\n2,1,0.7\n3,0.666667,0.8\n", log.ToCsv());
        var small = new TrainingLog();
        small.Add(1, "train loss", 3e-5);
        Assert.Equal("epoch,train loss\n1,3E-05\n", small.ToCsv()); // small losses keep their digits
        var svg = XDocument.Parse(log.ToSvg("MLP <MNIST>"));
        var text = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("MLP <MNIST>", text);
        Assert.Contains("epoch", text);                          // the x axis label
        Assert.Contains("loss", text);                           // the left axis names the metric
        Assert.Contains("accuracy", text);                       // and the right axis the unit-range one
        Assert.Contains("test accuracy (right axis)", text);     // in the legend

        var plot = log.ToPlot("t");
        var lines = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Same(plot.Axes.Right, lines[1].Axes.YAxis);
        Assert.Equal(ScottPlot.LinePattern.Dashed.Name, lines[1].LinePattern.Name); // a held-out series is dashed

        var dir = Path.Combine(Path.GetTempPath(), "graphnet-log-" + Guid.NewGuid().ToString("N"));
        try
        {
            log.Write(Path.Combine(dir, "curve"), "t");
            foreach (var ext in new[] { ".csv", ".svg", ".png" }) Assert.True(File.Exists(Path.Combine(dir, "curve" + ext)), ext);
            using var png = SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "curve.png"));
            Assert.Equal((720, 420), (png.Width, png.Height));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_loss_spanning_decades_gets_a_log_axis_with_the_values_as_tick_labels()
    {
        var log = new TrainingLog { XLabel = "step" };
        for (int s = 0; s < 5; s++) { log.Add(s, "train loss", Math.Pow(10, -s)); log.Add(s, "validation loss", 2 * Math.Pow(10, -s)); }
        var plot = log.ToPlot("decades");
        var lines = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(lines[0].Color, lines[1].Color);          // one metric, one color: train solid, validation dashed
        Assert.Equal(-4, lines[0].Data.GetScatterPoints()[4].Y, 9); // plotted as log10
        var ticks = XDocument.Parse(plot.GetSvgXml(600, 400)).Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("0.01", ticks);                         // ticks read as the values, not their logs
        Assert.DoesNotContain("-2", ticks);
        var linear = new TrainingLog();
        for (int s = 1; s <= 3; s++) linear.Add(s, "train loss", s);
        Assert.Equal(3, linear.ToPlot("x").GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single().Data.GetScatterPoints()[2].Y);
    }

    [Fact]
    public void Image_grid_draws_each_pixel_at_its_place_scaled_with_gaps()
    {
        // three 2×2 images, values in [-1, 1] mapped to black..white, two per row, each pixel drawn 2×2
        var images = Tensor.FromArray(new float[] { -1, 1, 0, 1, 1, -1, -1, -1, 0.5f, 0.5f, -1, 3 }, 3, 4);
        string path = Path.Combine(Path.GetTempPath(), "graphnet-grid-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            ImageGrid.WritePng(path, images, 2, 2, columns: 2, scale: 2, low: -1, high: 1);
            using var png = SkiaSharp.SKBitmap.Decode(path);
            Assert.Equal((2 * 5 + 1, 2 * 5 + 1), (png.Width, png.Height));
            int At(int image, int y, int x) => png.GetPixel(1 + image % 2 * 5 + 2 * x + 1, 1 + image / 2 * 5 + 2 * y).Red;
            Assert.Equal(new[] { 0, 255, 127, 255 }, new[] { At(0, 0, 0), At(0, 0, 1), At(0, 1, 0), At(0, 1, 1) }.Select(v => v == 128 ? 127 : v));
            Assert.Equal(255, At(1, 0, 0));
            Assert.Equal(0, At(1, 1, 1));
            Assert.InRange(At(2, 0, 0), 190, 192);                  // 0.5 → 0.75 of white
            Assert.Equal(255, At(2, 1, 1));                         // 3 is clamped to white
            Assert.InRange(png.GetPixel(0, 0).Red, 62, 65);        // the gap: dark gray
            Assert.InRange(png.GetPixel(7, 7).Red, 62, 65);        // the fourth cell, without an image
            Assert.Throws<ArgumentException>(() => ImageGrid.WritePng(path, images, 3, 3));
        }
        finally { File.Delete(path); }
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
