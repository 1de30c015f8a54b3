using GraphNet;
using GraphNet.Data;

namespace GraphNetApp;

/// <summary>The training loop: a seeded train/test split of the CSV, standardized features, Adam, shuffled mini-batches.</summary>
public static class Training
{
    public static (Classifier Model, double TestAccuracy, float LastLoss) Run(string csvPath, int epochs = 100, int seed = 1)
    {
        var table = Csv.Read(csvPath, target: "species");
        var (train, test) = Standardizer.Standardize(table.Data.Split(testFraction: 0.3, seed: seed));
        var model = new Classifier(seed: seed);
        var optimizer = new Adam(1e-2f);
        float loss = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
            foreach (var (x, y) in train.Batches(16, seed: seed, epoch: epoch))
                loss = model.Step(x, y, optimizer);
        return (model, Metrics.Accuracy(model.Predict(test.Features), test.Targets), loss);
    }
}
