using System;
using System.Linq;
using GraphNet;
using Samples.Vae;

// A VAE and a β-VAE on MNIST-10k: the test ELBO in nats per image (its reconstruction and KL terms), samples from the
// prior and a latent interpolation between two test digits as PNG grids.
var r = Sample.Run();
foreach (var m in new[] { r.Vae, r.BetaVae })
    Console.WriteLine($"β = {m.Beta}: test ELBO {-m.NegativeElbo:F2} nats/image (reconstruction {m.Reconstruction:F2}, KL {m.Kl:F2})");
ImageGrid.WritePng("runs/vae-samples.png", r.Vae.Model.Generate(64), 28, 28, columns: 8);
var ends = Tensor.FromArray(r.TestImages.Data.AsSpan(0, 2 * VariationalAutoencoder.Pixels).ToArray(), 2, VariationalAutoencoder.Pixels);
var t = Tensor.FromArray(Enumerable.Range(0, 10).Select(i => i / 9f).ToArray(), 10, 1);
ImageGrid.WritePng("runs/vae-interpolation.png", r.Vae.Model.Line(ends, t), 28, 28, columns: 10);
r.Curve.Write("runs/vae-loss", "VAE and β-VAE: training loss");
Console.WriteLine("wrote runs/vae-samples.png, runs/vae-interpolation.png, runs/vae-loss.{csv,svg}");
