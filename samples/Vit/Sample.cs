using GraphNet.Terminal;
using Samples.Shared;

namespace Samples.Vit;

/// <summary>Trains a small Vision Transformer on MNIST-10k with the shared classifier loop (Adam, cosine decay, batch 64).</summary>
public static class Sample
{
    public static (MnistResult Result, Vit Model) Run(int epochs = 10, int batch = 64, float learningRate = 2e-3f, int seed = 1,
        int? trainLimit = null, TrainingProgress? progress = null)
    {
        var model = new Vit(seed: seed);
        var result = MnistClassifier.Train(model.Step, model.Predict, epochs, batch, learningRate, seed, trainLimit, progress);
        return (result, model);
    }
}
