using System;
using System.Globalization;
using Samples.ResNet;
using Samples.Shared;

// Trains a small ResNet (3x3 convolutions, batch norm, two residual blocks, global average pooling) on the
// shipped MNIST-10k with Adam; test accuracy uses batch norm's running averages (evaluation mode).
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"MNIST-10k (8,000 train / 2,000 test); ResNet (16-32 channels, batch norm), Adam 2e-3 with cosine decay, batch 64, {epochs} epochs");
var (result, model) = Sample.Run(epochs);
MnistClassifier.Report(result, model, "resnet", "ResNet on MNIST-10k (Adam)");
