using System;
using GraphNet;
using Samples.Adversarial;

// Adversarial examples on an MNIST classifier (FGSM, PGD in L∞ and L2, each a compiled program with Grad inside) and
// adversarial training with the PGD loop inside the compiled training step: clean and robust test accuracy.
var r = Sample.Run();
Console.WriteLine("model        clean    FGSM ε=0.1  PGD-L∞ ε=0.1  PGD-L2 ε=1.5  IBP-certified ε=0.1  smoothed certified L2 0.25");
foreach (var (name, a) in new[] { ("standard", r.Standard), ("PGD-trained", r.Robust), ("IBP-trained", r.Ibp), ("noise-trained", r.Noisy) })
    Console.WriteLine($"{name,-12} {a.Clean,6:P1} {a.Fgsm,11:P1} {a.PgdLinf,13:P1} {a.PgdL2,13:P1} {a.CertifiedIbp,20:P1} {a.SmoothedCertified,26:P1}");
Console.WriteLine($"standard model without its gradients: black-box (loss queries only, {Classifier.Queries} antithetic directions per step) {r.BlackBox:P1} on 200 digits; transfer from a surrogate's PGD {r.Transfer:P1}");
Console.WriteLine($"largest perturbations: L∞ {r.LargestLinf:F4} (ε 0.1), L2 {r.LargestL2:F4} (ε 1.5)");
var grid = new Tensor(16, Classifier.Pixels);
Array.Copy(r.Clean.Data, 0, grid.Data, 0, 8 * Classifier.Pixels);
Array.Copy(r.Adversarial.Data, 0, grid.Data, 8 * Classifier.Pixels, 8 * Classifier.Pixels);
ImageGrid.WritePng("runs/adversarial.png", grid, 28, 28, columns: 8);
r.Curve.Write("runs/adversarial-loss", "standard and adversarial training");
Console.WriteLine("wrote runs/adversarial.png (test digits, their PGD-L∞ examples against the standard model), runs/adversarial-loss.{csv,svg}");
