using System;
using System.Linq;
using GraphNet;
using Samples.Gmm;

// A Gaussian mixture (3 components, full covariances) fitted to iris by EM, each iteration a compiled [Update].
// --device gpu (the first CUDA GPU, else ILGPU's CPU accelerator) or --device cpu-accelerator runs the iterations there.
int at = Array.IndexOf(args, "--device");
using var device = at < 0 ? null : (at + 1 < args.Length ? args[at + 1] : "") switch
{
    "gpu" => GraphNet.Gpu.GpuDevice.Default(),
    "cpu-accelerator" => GraphNet.Gpu.GpuDevice.CpuAccelerator(),
    var d => throw new ArgumentException($"--device {d}: expected 'gpu' or 'cpu-accelerator'."),
};
var r = Sample.Run(device: device);
if (device is not null) Console.WriteLine($"on {device.Name}");
Console.WriteLine($"EM converged in {r.LogLikelihood.Length} iterations: average log-likelihood {r.Final:F6} (it never decreased: {r.LogLikelihood.Zip(r.LogLikelihood.Skip(1)).All(p => p.Second >= p.First - 1e-6)})");
Console.WriteLine("weights: " + string.Join(", ", r.Weights.Select(w => w.ToString("F4"))));
r.Curve.Write("runs/gmm-loglikelihood", "EM on iris: average log-likelihood");
Console.WriteLine("wrote runs/gmm-loglikelihood.csv, runs/gmm-loglikelihood.svg");
