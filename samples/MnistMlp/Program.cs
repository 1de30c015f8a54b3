using System;
using System.Linq;
using System.Diagnostics;
using System.IO;
using GraphNet;
using GraphNet.Data;
using MnistMlp;

// Trains the MLP on the shipped MNIST-10k (8,000 train / 2,000 test) with minibatch SGD and
// momentum, using the generated fused forward+backward kernels, and prints test accuracy.
int epochs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
string dir = FindData();
var trainX = Idx.ReadImages(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
var trainY = Idx.ReadLabels(Path.Combine(dir, "train-labels-idx1-ubyte.gz"));
var testX = Idx.ReadImages(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"));
var testY = Idx.ReadLabels(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));
Console.WriteLine($"MNIST-10k: {trainX.Shape[0]} train, {testX.Shape[0]} test images from {dir}");

var model = new Mlp(seed: 1);
const int batch = 128;
const float lr = 0.05f, momentum = 0.9f;
var velocity = model.Parameters.Select(p => new float[p.Value.Length]).ToArray();
int n = trainX.Shape[0];
var order = new int[n];
for (int i = 0; i < n; i++) order[i] = i;
var x = new Tensor(batch, 784);
var y = new Tensor(batch);
var rng = new Random(1);
var clock = Stopwatch.StartNew();
long seen = 0;
for (int epoch = 1; epoch <= epochs; epoch++)
{
    rng.Shuffle(order);
    double total = 0;
    int steps = 0;
    for (int start = 0; start + batch <= n; start += batch)
    {
        for (int r = 0; r < batch; r++)
        {
            Array.Copy(trainX.Data, order[start + r] * 784, x.Data, r * 784, 784);
            y.Data[r] = trainY.Data[order[start + r]];
        }
        total += model.LossAndGradients(x, y);
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            var (w, g, v) = (model.Parameters[p].Value.Data, model.Parameters[p].Grad.Data, velocity[p]);
            for (int i = 0; i < w.Length; i++) { v[i] = momentum * v[i] + g[i]; w[i] -= lr * v[i]; }
        }
        steps++;
        seen += batch;
    }
    Console.WriteLine($"epoch {epoch}: mean loss {total / steps:F4}, {seen / clock.Elapsed.TotalSeconds:F0} samples/s, test accuracy {Accuracy(model, testX, testY):P2}");
}

static double Accuracy(Mlp model, Tensor x, Tensor y)
{
    var logits = model.Predict(x);
    int correct = 0, classes = logits.Shape[1];
    for (int i = 0; i < logits.Shape[0]; i++)
    {
        int best = 0;
        for (int c = 1; c < classes; c++) if (logits[i, c] > logits[i, best]) best = c;
        if (best == (int)y.Data[i]) correct++;
    }
    return (double)correct / logits.Shape[0];
}

static string FindData()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
    {
        var candidate = Path.Combine(d.FullName, "data", "mnist-10k");
        if (Directory.Exists(candidate)) return candidate;
    }
    throw new DirectoryNotFoundException("Could not find data/mnist-10k above " + AppContext.BaseDirectory);
}
