using System;
using System.IO;
using GraphNet;
using GraphNet.Data;
using GraphNet.Terminal;

namespace Samples.Shared;

/// <summary>Test accuracy after each epoch, the training throughput, the confusion matrix and the curve.</summary>
public sealed record MnistResult(double[] TestAccuracy, double SamplesPerSecond, ConfusionMatrix Confusion, TrainingLog Curve);

/// <summary>
/// The training loop the MNIST image classifiers share (LeNet-5, ResNet, ViT): MNIST-10k (8,000 train /
/// 2,000 test), shuffled batches, Adam with cosine decay, test accuracy per epoch (predicted in batches).
/// </summary>
public static class MnistClassifier
{
    public static (Dataset Train, Dataset Test) Load()
    {
        Dataset Read(string images, string labels) => new(
            Idx.ReadImages(DataFiles.Find(Path.Combine("mnist-10k", images))),
            Idx.ReadLabels(DataFiles.Find(Path.Combine("mnist-10k", labels))));
        return (Read("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"), Read("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"));
    }

    /// <summary>Logits [N, 10] for a whole data set, run in batches so that per-batch buffers stay small.</summary>
    public static Tensor Predict(Func<Tensor, Tensor> predict, Dataset data, int batch = 500)
    {
        var logits = new Tensor(data.Count, 10);
        foreach (var b in data.Batches(batch, shuffle: false))
            predict(b.Features).Data.CopyTo(logits.Data, b.Index * batch * 10);
        return logits;
    }

    public static MnistResult Train(Func<Tensor, Tensor, Optimizer, float> step, Func<Tensor, Tensor> predict, int epochs, int batch,
        float learningRate, int seed, int? trainLimit, TrainingProgress? progress)
    {
        var (train, test) = Load();
        if (trainLimit is int n) train = train.Subset(Dataset.Permutation(train.Count, seed, 0).AsSpan(0, n));
        int stepsPerEpoch = (train.Count + batch - 1) / batch;
        var opt = new Adam(learningRate) { Schedule = Schedule.Cosine((long)epochs * stepsPerEpoch, 0.05f) };
        var curve = new TrainingLog();
        var accuracy = new double[epochs];
        double samplesPerSecond = 0;
        (progress ?? new TrainingProgress()).Run(epochs, stepsPerEpoch, report =>
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                foreach (var (x, y) in train.Batches(batch, seed: seed, epoch: epoch))
                    report.Step(step(x, y, opt), x.Shape[0]);
                accuracy[epoch - 1] = Metrics.Accuracy(Predict(predict, test), test.Targets);
                curve.Add(epoch, "train loss", report.MeanLoss);
                curve.Add(epoch, "test accuracy", accuracy[epoch - 1]);
                report.EndEpoch($"test accuracy {accuracy[epoch - 1]:P2}");
            }
            samplesPerSecond = report.SamplesPerSecond;
        });
        var confusion = Metrics.Confusion(Predict(predict, test), test.Targets, 10);
        return new MnistResult(accuracy, samplesPerSecond, confusion, curve);
    }

    /// <summary>Prints the result, writes the curve and the checkpoint under runs/.</summary>
    public static void Report(MnistResult r, IModel model, string name, string title)
    {
        Console.WriteLine($"test accuracy {r.TestAccuracy[^1]:P2}; {r.SamplesPerSecond:N0} samples/s");
        Console.WriteLine("confusion matrix (rows: true digit, columns: predicted):");
        Console.Write(r.Confusion);
        r.Curve.Write($"runs/{name}-curve", title);
        model.Save($"runs/{name}.safetensors");
        Console.WriteLine($"wrote runs/{name}-curve.csv, runs/{name}-curve.svg, runs/{name}.safetensors");
    }
}
