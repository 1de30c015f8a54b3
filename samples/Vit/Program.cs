using System;
using System.Globalization;
using Samples.Shared;
using Samples.Vit;

// Trains a small Vision Transformer (7x7 patches, learned positions, 2 pre-norm encoder blocks, mean pooling)
// on the shipped MNIST-10k with Adam; prints test accuracy per epoch and writes the curve and a checkpoint.
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
Console.WriteLine($"MNIST-10k (8,000 train / 2,000 test); ViT: 16 patches, width {Vit.Width}, {Vit.Heads} heads, 2 blocks; Adam 2e-3 with cosine decay, batch 64, {epochs} epochs");
var (result, model) = Sample.Run(epochs);
MnistClassifier.Report(result, model, "vit", "ViT on MNIST-10k (Adam)");
