using System;
using System.Linq;
using Samples.KnnKernelRidge;

// k-nearest neighbours on 8×8 digits and kernel ridge regression with an RBF kernel on diabetes, both compiled:
// distances by GEMM and TopK for the neighbours, a linear solve for the ridge's dual weights.
var r = Sample.Run();
Console.WriteLine($"k-NN on digits (1397 train, 400 test): k = 1 accuracy {r.Knn1Accuracy:P2}, k = 5 accuracy {r.Knn5Accuracy:P2}");
Console.WriteLine($"kernel ridge on diabetes (RBF, gamma {Sample.Gamma}, lambda {Sample.Lambda}; 353 train, 89 test): test MSE {r.KernelRidgeMse:F1}, R² {r.KernelRidgeR2:F4}");
Console.WriteLine($"first test predictions: {string.Join(", ", r.FirstPredictions.Select(v => v.ToString("F2")))}");
