using System.Globalization;
using System.Linq;
using GraphNet;
using GraphNet.Data;
using Samples.LinearRegression;

// Linear regression on diabetes.csv: closed form (normal equations through the Solve op) and gradient descent.
int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
var result = Sample.Run(steps);
Sample.Print(result, Csv.Read(DataFiles.Find("tabular/diabetes.csv")).FeatureNames.ToArray());
result.Curve.Write("runs/linear-regression-curve", "Linear regression on diabetes: training MSE");
System.Console.WriteLine("curve: runs/linear-regression-curve.csv, runs/linear-regression-curve.svg");
