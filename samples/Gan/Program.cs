using System;
using System.IO;
using GraphNet;
using Samples.Gan;

// A GAN, a Wasserstein GAN with weight clipping and WGAN-GP on eight Gaussians on a ring: modes covered and the share
// of samples near a mode; the samples as CSV (x, y) beside the training curves.
int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var r = Sample.Run(steps);
foreach (var c in new[] { r.Gan, r.Wasserstein, r.Penalized })
    Console.WriteLine($"{c.Kind,-15} modes covered {c.ModesCovered}/{Sample.Modes}, samples near a mode {c.NearFraction:P1}");
Directory.CreateDirectory("runs");
foreach (var c in new[] { r.Gan, r.Wasserstein, r.Penalized })
{
    using var f = new StreamWriter($"runs/gan-samples-{c.Kind.Split(' ')[0].ToLowerInvariant()}.csv");
    f.WriteLine("x,y");
    for (int i = 0; i < c.Samples.Shape[0]; i++) f.WriteLine(FormattableString.Invariant($"{c.Samples.Data[2 * i]},{c.Samples.Data[2 * i + 1]}"));
}
r.Curve.Write("runs/gan-losses", "GAN, WGAN and WGAN-GP on the ring: losses");
Console.WriteLine("wrote runs/gan-samples-*.csv, runs/gan-losses.{csv,svg}");

// The conditional GAN on MNIST: a grid with one column per class (0–9), and how a classifier reads its digits.
int epochs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
var digits = Digits.Run(epochs);
Console.WriteLine($"judge (an MLP) test accuracy {digits.JudgeAccuracy:P1}");
foreach (var reading in new[] { digits.Samples, digits.Untrained, digits.Training })
    Console.WriteLine($"{reading.Kind,-20} read as the class asked for {reading.AsAsked:P1}, Fréchet distance to test digits {reading.Frechet:F1}, read with p ≥ 0.9 {reading.Confident:P1}");
GraphNet.ImageGrid.WritePng("runs/cgan-digits.png", digits.Grid, 28, 28, columns: 10);
digits.Curve.Write("runs/cgan-losses", "conditional GAN on MNIST: losses");
Console.WriteLine("wrote runs/cgan-digits.png, runs/cgan-losses.{csv,svg}");
