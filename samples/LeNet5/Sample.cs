using GraphNet.Terminal;
using Samples.Shared;

namespace Samples.LeNet5;

/// <summary>Trains LeNet-5 on MNIST-10k with the shared classifier loop (Adam, cosine decay, batch 64).</summary>
public static class Sample
{
    public static (MnistResult Result, LeNet Model) Run(int epochs = 10, int batch = 64, float learningRate = 2e-3f, int seed = 1,
        int? trainLimit = null, TrainingProgress? progress = null)
    {
        var model = new LeNet(seed: seed);
        var result = MnistClassifier.Train(model.Step, model.Predict, epochs, batch, learningRate, seed, trainLimit, progress);
        return (result, model);
    }
}
