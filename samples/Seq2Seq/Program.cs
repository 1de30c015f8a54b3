using System;
using System.Globalization;
using GraphNet;
using Samples.Seq2Seq;

// Trains a GRU encoder-decoder with attention to reverse digit strings of 3 to 10 digits, then decodes test strings
// greedily through the compiled loop and reports sequence accuracy per length (12 is longer than any training string).
int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
Console.WriteLine($"seq2seq with attention: bidirectional GRU encoder, GRU decoder, hidden {Reverser.Hidden}; reversing 3-10 digits; Adam, batch 64, {steps} steps");
var result = Sample.Run(steps);
for (int i = 0; i < result.Lengths.Length; i++)
    Console.WriteLine($"length {result.Lengths[i],2}: sequence accuracy {result.SequenceAccuracy[i]:P1}, token accuracy {result.TokenAccuracy[i]:P1}");
Console.WriteLine($"example: {result.Example}");
result.Curve.Write("runs/seq2seq-curve", "seq2seq reversing digits");
result.Model.Save("runs/seq2seq.safetensors");
Console.WriteLine("wrote runs/seq2seq-curve.csv, runs/seq2seq-curve.svg, runs/seq2seq.safetensors");
