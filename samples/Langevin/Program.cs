using System;
using System.Linq;
using GraphNet;
using Samples.Langevin;

// Langevin dynamics (unadjusted) with 4000 chains on a 2-D mixture of three Gaussians: the drift is a compiled [Train]
// step on the energy, the noise a compiled update after it; each mode's occupancy is compared with its weight.
int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3000;
var r = Sample.Run(steps);
for (int k = 0; k < r.Weights.Length; k++) Console.WriteLine($"mode {k}: weight {r.Weights[k]:F3}, occupancy {r.Occupancy[k]:F3}");
Console.WriteLine($"largest gap {r.MaxGap:F4} after {steps} steps of size {LangevinSampler.StepSize}");
var mala = Sample.RunMala();
for (int k = 0; k < mala.Weights.Length; k++) Console.WriteLine($"MALA mode {k}: weight {mala.Weights[k]:F3}, occupancy {mala.Occupancy[k]:F3}");
Console.WriteLine($"MALA at step {LangevinSampler.MalaStep}: largest gap {mala.MaxGap:F4}, acceptance rate {mala.AcceptanceRate:F3}");
r.Curve.Write("runs/langevin-energy", "Langevin chains: energy per particle");
Console.WriteLine("wrote runs/langevin-energy.csv, runs/langevin-energy.svg");
