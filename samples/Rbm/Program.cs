using System;
using System.Linq;
using GraphNet;
using Samples.Rbm;

// A binary RBM (784 visible, 128 hidden) on binarized MNIST-10k, trained by CD-1 and by persistent CD as compiled
// [Update] entries; writes test reconstructions and samples from Gibbs chains as PNG grids.
int epochs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
var r = Sample.Run(epochs);
Console.WriteLine($"test reconstruction error (mean-field, per pixel): {r.InitialError:F4} before training");
for (int e = 0; e < epochs; e++) Console.WriteLine($"epoch {e + 1}: CD-1 {r.CdError[e]:F4}, persistent CD {r.PcdError[e]:F4}");
var (_, test) = Sample.Load();
var digits = Tensor.FromArray(test.Data.AsSpan(0, 32 * BinaryRbm.Visible), 32, BinaryRbm.Visible);
ImageGrid.WritePng("runs/rbm-test-digits.png", digits, 28, 28);
ImageGrid.WritePng("runs/rbm-samples-cd.png", r.Cd.Sample(digits, 1000), 28, 28);
ImageGrid.WritePng("runs/rbm-samples-pcd.png", r.Pcd.Sample(digits, 1000), 28, 28);
Console.WriteLine("wrote runs/rbm-test-digits.png and samples after 1000 Gibbs steps from them: runs/rbm-samples-cd.png, runs/rbm-samples-pcd.png");
