using Samples.RidgeLasso;

// Ridge (closed form through the Solve op, and gradient descent) and lasso (subgradient descent) on diabetes.csv.
Sample.Print(Sample.Run());
