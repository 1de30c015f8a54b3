using System;
using System.Globalization;
using System.IO;
using System.Linq;
using GraphNet;
using GraphNet.Distributed;
using Samples.CharGpt;

// Trains a two-block character-level GPT (pre-layer-norm, causal multi-head attention, learned positions) on
// fortunes.txt, reports validation bits per character, and generates text from a seed with temperature 0.8.
// Options: the number of steps; --distributed (or GRAPHNET_DISTRIBUTED=1) under mpirun trains data-parallel, each rank
// a share of every batch of 32 windows; rank 0 logs and writes the files.
int steps = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
using var world = args.Contains("--distributed") || Environment.GetEnvironmentVariable("GRAPHNET_DISTRIBUTED") == "1" ? Communicator.World : null;
var log = world is { IsRoot: false } ? TextWriter.Null : Console.Out;
log.WriteLine($"char-GPT: 2 blocks, width {Gpt.Width}, {Gpt.Heads} heads, context {Gpt.Context}, vocabulary {Gpt.Vocab}; Adam, batch 32, {steps} steps"
    + (world is null ? "" : $", data-parallel over {world.Size} ranks"));
var result = Sample.Run(steps, world: world);
log.WriteLine($"validation {result.ValidationBits[^1]:F3} bits/char after {result.Steps} steps; {result.TokensPerSecond:N0} tokens/s");
log.WriteLine("sample (temperature 0.8):");
log.WriteLine(result.Generated);
if (world?.IsRoot ?? true)
{
    result.Curve.Write("runs/char-gpt-curve", "char-GPT on fortunes.txt");
    result.Model.Save("runs/char-gpt.safetensors");
}
log.WriteLine("wrote runs/char-gpt-curve.csv, runs/char-gpt-curve.svg, runs/char-gpt.safetensors");
