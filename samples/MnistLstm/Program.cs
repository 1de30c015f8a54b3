using System;
using System.Globalization;
using Samples.MnistLstm;
using Samples.Shared;

// Trains an LSTM that reads each digit as 28 rows of 28 pixels (hidden size 64, the last state classified) on the
// shipped MNIST-10k with Adam; prints test accuracy per epoch and writes the curve and a checkpoint.
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"MNIST-10k (8,000 train / 2,000 test); LSTM over 28 rows, hidden {RowLstm.Hidden}, Adam 3e-3 with cosine decay, batch 64, {epochs} epochs");
var (result, model) = Sample.Run(epochs);
MnistClassifier.Report(result, model, "mnist-lstm", "Row LSTM on MNIST-10k (Adam)");
