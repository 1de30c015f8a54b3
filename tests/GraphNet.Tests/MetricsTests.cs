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
