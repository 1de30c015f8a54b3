using System;
using System.IO;
using GraphNet;
using GraphNet.Data;
using GraphNet.Distributed;
using GraphNet.Gpu;
using GraphNet.Terminal;

namespace Samples.MnistMlp;

/// <summary>Test accuracy after each epoch, the final confusion matrix, and the training throughput.</summary>
public sealed record Result(double[] TestAccuracy, double SamplesPerSecond, ConfusionMatrix Confusion, TrainingLog Curve, Mlp Model, Adam Optimizer);

/// <summary>The MLP 784-256-256-10 on MNIST-10k (8,000 train / 2,000 test) with Adam and the generated training step.</summary>
public static class Sample
{
    public static (Dataset Train, Dataset Test) Load()
    {
        Dataset Read(string images, string labels) => new(
            Idx.ReadImages(DataFiles.Find(Path.Combine("mnist-10k", images))),
            Idx.ReadLabels(DataFiles.Find(Path.Combine("mnist-10k", labels))));
        return (Read("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"), Read("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"));
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs, on the CPU or, given a <paramref name="device"/>, through the model's
    /// device runner (the same steps as ILGPU kernels); <paramref name="limit"/> keeps the first images of each split.
    /// Given a <paramref name="world"/> of several ranks, each rank trains on its shard of every batch of
    /// <paramref name="batch"/> (data-parallel: gradients averaged over the ranks); only rank 0 reports progress.
    /// </summary>
    public static Result Run(int epochs = 10, int batch = 128, float learningRate = 1e-3f, int seed = 1, TrainingProgress? progress = null,
        GraphNet.Gpu.GpuDevice? device = null, int? limit = null, Communicator? world = null)
    {
        var (train, test) = Load();
        if (limit is int n)
        {
            int[] First(Dataset d) => System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Range(0, Math.Min(n, d.Count)));
            (train, test) = (train.Subset(First(train)), test.Subset(First(test)));
        }
        var model = new Mlp(seed: seed);
        var onDevice = device is null ? null : model.OnGpu(device);
        Func<Tensor, Tensor> predict = onDevice is null ? model.Predict : onDevice.Predict;
        // on one device the data set is uploaded once and its batches gathered there; data-parallel ranks take host shards
        using var resident = device is null || world is not null ? null : train.ToDevice(device);
        var opt = new Adam(learningRate);
        var parallel = world is null ? null : new DataParallel(model, opt, world);
        Optimizer optimizer = parallel ?? (Optimizer)opt;
        var curve = new TrainingLog();
        var accuracy = new double[epochs];
        double samplesPerSecond = 0;
        int stepsPerEpoch = (train.Count + batch - 1) / batch;
        progress ??= world is { IsRoot: false } ? TrainingProgress.Silent() : new TrainingProgress();
        progress.Run(epochs, stepsPerEpoch, report =>
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                if (resident is not null)
                    foreach (var (x, y) in resident.Batches(batch, seed: seed, epoch: epoch))
                        report.Step(onDevice!.Step(x, y, optimizer), x.Shape[0]);
                else
                    foreach (var (x, y) in parallel?.Batches(train, batch, seed: seed, epoch: epoch) ?? train.Batches(batch, seed: seed, epoch: epoch))
                    {
                        float loss = onDevice is null ? model.Step(x, y, optimizer) : onDevice.Step(x, y, optimizer);
                        report.Step(parallel?.Average(loss) ?? loss, x.Shape[0] * (world?.Size ?? 1));
                    }
                accuracy[epoch - 1] = Metrics.Accuracy(predict(test.Features), test.Targets);
                curve.Add(epoch, "train loss", report.MeanLoss);
                curve.Add(epoch, "test accuracy", accuracy[epoch - 1]);
                report.EndEpoch($"test accuracy {accuracy[epoch - 1]:P2}");
            }
            samplesPerSecond = report.SamplesPerSecond;
        });
        var confusion = Metrics.Confusion(predict(test.Features), test.Targets, 10);
        return new Result(accuracy, samplesPerSecond, confusion, curve, model, opt);
    }
}
