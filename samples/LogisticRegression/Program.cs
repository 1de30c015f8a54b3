using GraphNet;
using Samples.LogisticRegression;

// Logistic regression on breast_cancer.csv by gradient descent and by Newton's method.
var result = Sample.Run();
Sample.Print(result);
result.Curve.Write("runs/logistic-regression-curve", "Logistic regression on breast cancer: training loss");
System.Console.WriteLine("curve: runs/logistic-regression-curve.csv, runs/logistic-regression-curve.svg");
