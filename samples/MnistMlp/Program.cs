using System;
using System.Globalization;
using GraphNet;
using Samples.MnistMlp;

// Trains the MLP 784-256-256-10 on the shipped MNIST-10k with Adam through the generated training step,
// prints test accuracy per epoch, and writes the curve (CSV, SVG) and a safetensors checkpoint under runs/.
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var (train, test) = Sample.Load();
Console.WriteLine($"MNIST-10k: {train.Count} training and {test.Count} test images; MLP 784-256-256-10, Adam, batch 128, {epochs} epochs");
var result = Sample.Run(epochs);
Console.WriteLine($"test accuracy {result.TestAccuracy[^1]:P2}; {result.SamplesPerSecond:N0} samples/s");
Console.WriteLine("confusion matrix (rows: true digit, columns: predicted):");
Console.Write(result.Confusion);
result.Curve.Write("runs/mnist-mlp-curve", "MLP 784-256-256-10 on MNIST-10k (Adam)");
result.Model.Save("runs/mnist-mlp.safetensors", result.Optimizer);
Console.WriteLine("wrote runs/mnist-mlp-curve.csv, runs/mnist-mlp-curve.svg, runs/mnist-mlp.safetensors");
