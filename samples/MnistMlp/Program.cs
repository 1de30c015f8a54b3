using System;
using System.Globalization;
using System.IO;
using System.Linq;
using GraphNet;
using GraphNet.Distributed;
using Samples.MnistMlp;

// Trains the MLP 784-256-256-10 on the shipped MNIST-10k with Adam through the generated training step,
// prints test accuracy per epoch, and writes the curve (CSV, SVG) and a safetensors checkpoint under runs/.
// Options: the number of epochs; --device gpu (the first CUDA GPU, else ILGPU's CPU accelerator) or --device
// cpu-accelerator runs the same training steps as ILGPU kernels; --distributed (or GRAPHNET_DISTRIBUTED=1) under
// mpirun trains data-parallel: each rank a shard of every batch of 128, rank 0 logs and writes the files.
int epochs = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
int at = Array.IndexOf(args, "--device");
string? deviceName = at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
using var world = args.Contains("--distributed") || Environment.GetEnvironmentVariable("GRAPHNET_DISTRIBUTED") == "1" ? Communicator.World : null;
using var device = deviceName switch
{
    null => null,
    "gpu" => GraphNet.Gpu.GpuDevice.Default(),
    "cpu-accelerator" => GraphNet.Gpu.GpuDevice.CpuAccelerator(),
    _ => throw new ArgumentException($"--device {deviceName}: expected 'gpu' or 'cpu-accelerator'."),
};
var log = world is { IsRoot: false } ? TextWriter.Null : Console.Out;
var (train, test) = Sample.Load();
log.WriteLine($"MNIST-10k: {train.Count} training and {test.Count} test images; MLP 784-256-256-10, Adam, batch 128, {epochs} epochs"
    + (device is null ? " on the CPU" : $" on {device.Name}") + (world is null ? "" : $", data-parallel over {world.Size} ranks"));
var result = Sample.Run(epochs, device: device, world: world);
log.WriteLine($"test accuracy {result.TestAccuracy[^1]:P2}; {result.SamplesPerSecond:N0} samples/s");
log.WriteLine("confusion matrix (rows: true digit, columns: predicted):");
log.Write(result.Confusion);
if (world?.IsRoot ?? true)
{
    result.Curve.Write("runs/mnist-mlp-curve", "MLP 784-256-256-10 on MNIST-10k (Adam)");
    result.Model.Save("runs/mnist-mlp.safetensors", result.Optimizer);
}
log.WriteLine("wrote runs/mnist-mlp-curve.csv, runs/mnist-mlp-curve.svg, runs/mnist-mlp.safetensors");
