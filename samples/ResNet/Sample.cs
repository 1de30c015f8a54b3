using GraphNet.Terminal;
using Samples.Shared;

namespace Samples.ResNet;

/// <summary>Trains a small ResNet on MNIST-10k with the shared classifier loop (Adam, cosine decay, batch 64).</summary>
public static class Sample
{
    public static (MnistResult Result, ResNet Model) Run(int epochs = 5, int batch = 64, float learningRate = 2e-3f, int seed = 1,
        int? trainLimit = null, TrainingProgress? progress = null)
    {
        var model = new ResNet(seed: seed);
        var result = MnistClassifier.Train(model.Step, model.Predict, epochs, batch, learningRate, seed, trainLimit, progress);
        return (result, model);
    }
}
