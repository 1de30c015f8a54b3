using GraphNet;
using Samples.Svm;

// Linear soft-margin SVM (hinge loss, subgradient SGD) on breast_cancer.csv.
var result = Sample.Run();
Sample.Print(result);
result.Curve.Write("runs/svm-curve", "Soft-margin SVM on breast cancer");
System.Console.WriteLine("curve: runs/svm-curve.csv, runs/svm-curve.svg");
