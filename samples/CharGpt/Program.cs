using System;
using System.Globalization;
using GraphNet;
using Samples.CharGpt;

// Trains a two-block character-level GPT (pre-layer-norm, causal multi-head attention, learned positions) on
// fortunes.txt, reports validation bits per character, and generates text from a seed with temperature 0.8.
int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
Console.WriteLine($"char-GPT: 2 blocks, width {Gpt.Width}, {Gpt.Heads} heads, context {Gpt.Context}, vocabulary {Gpt.Vocab}; Adam, batch 32, {steps} steps");
var result = Sample.Run(steps);
Console.WriteLine($"validation {result.ValidationBits[^1]:F3} bits/char after {result.Steps} steps; {result.TokensPerSecond:N0} tokens/s");
Console.WriteLine("sample (temperature 0.8):");
Console.WriteLine(result.Generated);
result.Curve.Write("runs/char-gpt-curve", "char-GPT on fortunes.txt");
result.Model.Save("runs/char-gpt.safetensors");
Console.WriteLine("wrote runs/char-gpt-curve.csv, runs/char-gpt-curve.svg, runs/char-gpt.safetensors");
