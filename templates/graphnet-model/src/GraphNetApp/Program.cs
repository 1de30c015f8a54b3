using GraphNetApp;

// Trains the classifier on data/iris.csv and reports its accuracy on the held-out 30%.
var (model, accuracy, loss) = Training.Run(Path.Combine(AppContext.BaseDirectory, "data", "iris.csv"));
Console.WriteLine($"final training loss {loss:F4}, test accuracy {accuracy:P1}");
