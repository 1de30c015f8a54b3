using System;
using GraphNet;
using Samples.Autoencoders;

// Plain, denoising and contractive autoencoders on MNIST-10k: test reconstruction error (nats per image) of clean and of
// corrupted digits, the encoder's Jacobian norm, and an image grid of originals, corrupted inputs and reconstructions.
var r = Sample.Run();
Console.WriteLine("autoencoder  clean nats/image  corrupted nats/image  ‖J‖²_F");
foreach (var t in new[] { r.Plain, r.Denoising, r.Contractive })
    Console.WriteLine($"{t.Kind,-12} {t.CleanError,16:F2} {t.CorruptedError,20:F2} {t.Jacobian,8:F3}");
Console.WriteLine($"baseline (the mean training image for every digit): {r.MeanImageError:F2} nats/image; the masking noise kept {r.KeptFraction:P1} of the lit pixels");
Console.WriteLine($"contractive penalty's estimator ‖Jᵀv‖²: {r.EstimatedJacobian:F3} averaged over 200 draws, closed form {r.ExactJacobian:F3}");
var shown = Tensor.FromArray(r.TestImages.Data.AsSpan(0, 8 * Autoencoder.Pixels).ToArray(), 8, Autoencoder.Pixels);
var corrupted = new Autoencoder(seed: 99).Corrupted(shown);
var rows = new[] { shown, corrupted, r.Plain.Model.Reconstruction(corrupted), r.Denoising.Model.Reconstruction(corrupted), r.Contractive.Model.Reconstruction(shown) };
var grid = new Tensor(rows.Length * 8, Autoencoder.Pixels);
for (int i = 0; i < rows.Length; i++) Array.Copy(rows[i].Data, 0, grid.Data, i * 8 * Autoencoder.Pixels, 8 * Autoencoder.Pixels);
ImageGrid.WritePng("runs/autoencoders.png", grid, 28, 28, columns: 8);
r.Curve.Write("runs/autoencoders-loss", "autoencoders: training loss");
Console.WriteLine("wrote runs/autoencoders.png (rows: test digits, corrupted, plain and denoising reconstructions of the corrupted, contractive), runs/autoencoders-loss.{csv,svg}");
