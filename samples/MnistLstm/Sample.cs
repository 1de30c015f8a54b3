using GraphNet.Terminal;
using Samples.Shared;

namespace Samples.MnistLstm;

/// <summary>Trains the row-by-row LSTM on MNIST-10k with the shared classifier loop (Adam, cosine decay, batch 64).</summary>
public static class Sample
{
    public static (MnistResult Result, RowLstm Model) Run(int epochs = 5, int batch = 64, float learningRate = 3e-3f, int seed = 1,
        int? trainLimit = null, TrainingProgress? progress = null)
    {
        var model = new RowLstm(seed: seed);
        var result = MnistClassifier.Train(model.Step, model.Predict, epochs, batch, learningRate, seed, trainLimit, progress);
        return (result, model);
    }
}
