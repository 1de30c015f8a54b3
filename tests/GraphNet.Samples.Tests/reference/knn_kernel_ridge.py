# The scikit-learn references for SampleTests.Knn_and_kernel_ridge_match_scikit_learn. Run from the repository
# root with the Debian python3-sklearn: /usr/bin/python3 tests/GraphNet.Samples.Tests/reference/knn_kernel_ridge.py
import numpy as np
import sklearn
from sklearn.neighbors import KNeighborsClassifier
from sklearn.kernel_ridge import KernelRidge

print("sklearn", sklearn.__version__)
d = np.loadtxt("data/tabular/digits8x8.csv", delimiter=",", skiprows=1)
x, y = d[:, :64], d[:, 64].astype(int)
xtr, ytr, xte, yte = x[:1397], y[:1397], x[1397:], y[1397:]   # first 1397 train, last 400 test, no shuffle
for k in (1, 5):
    knn = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(xtr, ytr)
    print("knn", k, "accuracy", repr(knn.score(xte, yte)))

d = np.loadtxt("data/tabular/diabetes.csv", delimiter=",", skiprows=1)
x, y = d[:, :10], d[:, 10]
xtr, ytr, xte, yte = x[:353], y[:353], x[353:], y[353:]        # first 353 train, last 89 test
mu, sd = xtr.mean(0), xtr.std(0)
xtr, xte = (xtr - mu) / sd, (xte - mu) / sd
ym = ytr.mean()
kr = KernelRidge(alpha=1.0, kernel="rbf", gamma=0.05).fit(xtr, ytr - ym)
pred = kr.predict(xte) + ym
print("kernel ridge test mse", repr(float(np.mean((pred - yte) ** 2))), "r2", repr(float(1 - np.sum((pred - yte) ** 2) / np.sum((yte - yte.mean()) ** 2))))
print("kernel ridge first predictions", [round(float(v), 4) for v in pred[:5]])
