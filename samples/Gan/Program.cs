using System;
using System.IO;
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
