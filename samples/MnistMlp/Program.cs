using System;
using System.Globalization;
using GraphNet;
using Samples.MnistMlp;

// Trains the MLP 784-256-256-10 on the shipped MNIST-10k with Adam through the generated training step,
// prints test accuracy per epoch, and writes the curve (CSV, SVG) and a safetensors checkpoint under runs/.
// Options: the number of epochs; --device gpu (the first CUDA GPU, else ILGPU's CPU accelerator) or --device
// cpu-accelerator runs the same training steps as ILGPU kernels.
int epochs = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
int at = Array.IndexOf(args, "--device");
string? deviceName = at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
using var device = deviceName switch
{
    null => null,
    "gpu" => GraphNet.Gpu.GpuDevice.Default(),
    "cpu-accelerator" => GraphNet.Gpu.GpuDevice.CpuAccelerator(),
    _ => throw new ArgumentException($"--device {deviceName}: expected 'gpu' or 'cpu-accelerator'."),
};
var (train, test) = Sample.Load();
Console.WriteLine($"MNIST-10k: {train.Count} training and {test.Count} test images; MLP 784-256-256-10, Adam, batch 128, {epochs} epochs"
    + (device is null ? " on the CPU" : $" on {device.Name}"));
var result = Sample.Run(epochs, device: device);
Console.WriteLine($"test accuracy {result.TestAccuracy[^1]:P2}; {result.SamplesPerSecond:N0} samples/s");
Console.WriteLine("confusion matrix (rows: true digit, columns: predicted):");
Console.Write(result.Confusion);
result.Curve.Write("runs/mnist-mlp-curve", "MLP 784-256-256-10 on MNIST-10k (Adam)");
result.Model.Save("runs/mnist-mlp.safetensors", result.Optimizer);
Console.WriteLine("wrote runs/mnist-mlp-curve.csv, runs/mnist-mlp-curve.svg, runs/mnist-mlp.safetensors");
