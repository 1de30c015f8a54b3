# The scikit-learn reference for SampleTests.Kmeans_on_iris_matches_scikit_learns_best_inertia: best inertia of 20
# k-means++ runs per k on data/tabular/iris.csv. Run from the repository root with the Debian python3-sklearn:
#   /usr/bin/python3 tests/GraphNet.Samples.Tests/reference/kmeans_iris.py
import numpy as np
from sklearn.cluster import KMeans
import sklearn
d = np.loadtxt('data/tabular/iris.csv', delimiter=',', skiprows=1)
x = d[:, :4].astype(np.float64)
print("sklearn", sklearn.__version__)
for k in range(1, 9):
    km = KMeans(n_clusters=k, init='k-means++', n_init=20, random_state=0, tol=1e-8, max_iter=1000, algorithm='lloyd').fit(x)
    print(k, repr(km.inertia_))
