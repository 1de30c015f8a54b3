using System;
using System.Linq;
using GraphNet;
using Samples.Diffusion;

// Score-based and diffusion models: denoising score matching with annealed Langevin sampling and a DDPM on a weighted
// 2-D mixture (how the samples share the modes), and a DDPM of MNIST digits (an image grid, read by a classifier).
var points = Points.Run();
Console.WriteLine($"mixture weights {string.Join(" / ", Points.Mixture.Select(m => m.Weight.ToString("P0")))}");
foreach (var m in new[] { points.Annealed, points.SingleLevel, points.Ddpm })
    Console.WriteLine($"{m.Kind,-32} near a mode {m.Near:P1}, shares {string.Join(" / ", m.Shares.Select(s => s.ToString("P1")))}, total variation {m.TotalVariation:F3}");
points.Curve.Write("runs/diffusion-points-loss", "2-D mixture: denoising score matching and DDPM losses");
// the data and the three samplers' points as densities over [−4, 4]², side by side
var densities = new[] { Points.Draw(2000, 7), points.Annealed.Samples, points.SingleLevel.Samples, points.Ddpm.Samples };
var grid = new Tensor(densities.Length, 64 * 64);
for (int k = 0; k < densities.Length; k++)
{
    var p = densities[k];
    for (int i = 0; i < p.Shape[0]; i++)
    {
        int col = (int)Math.Floor((p.Data[2 * i] + 4) / 8 * 64), row = (int)Math.Floor((4 - p.Data[2 * i + 1]) / 8 * 64);
        if (col >= 0 && col < 64 && row >= 0 && row < 64) grid.Data[k * 4096 + row * 64 + col] += 1;
    }
}
ImageGrid.WritePng("runs/diffusion-points.png", grid, 64, 64, columns: densities.Length, scale: 3, high: 20);

int epochs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 40;
var digits = Digits.Run(epochs);
Console.WriteLine($"judge (an MLP) test accuracy {digits.JudgeAccuracy:P1}");
foreach (var r in new[] { digits.Samples, digits.Untrained, digits.Training })
    Console.WriteLine($"{r.Kind,-16} Fréchet distance to test digits {r.Frechet:F1}, read with p ≥ 0.9: {r.Confident:P1}, per class {string.Join(" ", r.Classes)}");
ImageGrid.WritePng("runs/ddpm-digits.png", digits.Images[..64], 28, 28, columns: 8);
digits.Curve.Write("runs/ddpm-digits-loss", "DDPM on MNIST: noise-prediction loss");
Console.WriteLine("wrote runs/diffusion-points.png (data, annealed Langevin, single-level Langevin, DDPM), runs/ddpm-digits.png, runs/diffusion-points-loss.{csv,svg}, runs/ddpm-digits-loss.{csv,svg}");
