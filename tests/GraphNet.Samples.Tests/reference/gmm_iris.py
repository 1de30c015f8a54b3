# The scikit-learn reference for SampleTests.Gmm_em_on_iris_matches_scikit_learn. Run from the repository root with
# the Debian python3-sklearn: /usr/bin/python3 tests/GraphNet.Samples.Tests/reference/gmm_iris.py
import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

print("sklearn", sklearn.__version__)
d = np.loadtxt("data/tabular/iris.csv", delimiter=",", skiprows=1)
x = d[:, :4]
means = x[[0, 50, 100]]                       # one flower of each species as the initial means
gm = GaussianMixture(3, covariance_type="full", weights_init=[1 / 3] * 3, means_init=means,
                     precisions_init=[np.eye(4)] * 3, tol=1e-10, max_iter=1000, reg_covar=1e-6).fit(x)
print("iterations", gm.n_iter_, "converged", gm.converged_)
print("average log-likelihood", repr(float(gm.score(x))))
print("weights", [round(float(w), 6) for w in gm.weights_])
