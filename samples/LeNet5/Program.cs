using System;
using System.Globalization;
using Samples.LeNet5;
using Samples.Shared;

// Trains LeNet-5 on the shipped MNIST-10k with Adam through the generated training step (convolutions as
// windows + GEMM, max pooling, ReLU), prints test accuracy per epoch and writes the curve and a checkpoint.
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
Console.WriteLine($"MNIST-10k (8,000 train / 2,000 test); LeNet-5, Adam 2e-3 with cosine decay, batch 64, {epochs} epochs");
var (result, model) = Sample.Run(epochs);
MnistClassifier.Report(result, model, "lenet5", "LeNet-5 on MNIST-10k (Adam)");
