using System;
using System.Globalization;
using GraphNet;
using Samples.CharLstm;

// Trains a character-level LSTM (embedding 64, LSTM 256, linear head) on fortunes.txt with backprop through time
// over 64-character windows, reports validation bits per character, and generates text with temperature 0.8
// through the compiled sampling loop.
int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
Console.WriteLine($"char-LSTM: embedding {CharLstm.Embed}, hidden {CharLstm.Hidden}, vocabulary {CharLstm.Vocab}; Adam, batch 32, windows of 64, {steps} steps");
var result = Sample.Run(steps);
Console.WriteLine($"validation {result.ValidationBits[^1]:F3} bits/char after {result.Steps} steps; {result.TokensPerSecond:N0} tokens/s");
Console.WriteLine("sample (temperature 0.8):");
Console.WriteLine(result.Generated);
result.Curve.Write("runs/char-lstm-curve", "char-LSTM on fortunes.txt");
result.Model.Save("runs/char-lstm.safetensors");
Console.WriteLine("wrote runs/char-lstm-curve.csv, runs/char-lstm-curve.svg, runs/char-lstm.safetensors");
