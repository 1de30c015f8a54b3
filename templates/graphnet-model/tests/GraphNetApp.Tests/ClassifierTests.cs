using GraphNet;
using GraphNetApp;
using Xunit;

public class ClassifierTests
{
    [Fact]
    public void The_classifier_learns_iris()
    {
        var (_, accuracy, _) = Training.Run(Path.Combine(AppContext.BaseDirectory, "data", "iris.csv"), epochs: 60);
        Assert.True(accuracy > 0.85, $"test accuracy {accuracy}");
    }

    [Fact]
    public void A_batch_of_the_wrong_width_is_an_error_naming_the_input()
    {
        var model = new Classifier(seed: 1);
        var error = Assert.ThrowsAny<ArgumentException>(() => model.Predict(new Tensor(2, 5)));
        Assert.Contains("x", error.Message);
    }
}
