# The scikit-learn reference for SampleTests.Pca_matches_scikit_learn_and_the_linear_autoencoder_finds_its_subspace.
# Run from the repository root with the Debian python3-sklearn: /usr/bin/python3 tests/GraphNet.Samples.Tests/reference/pca_digits.py
import numpy as np
import sklearn
from sklearn.decomposition import PCA

print("sklearn", sklearn.__version__)
d = np.loadtxt("data/tabular/digits8x8.csv", delimiter=",", skiprows=1)
x = d[:, :64]
pca = PCA(n_components=10).fit(x)
print("explained variance ratio", [round(float(v), 6) for v in pca.explained_variance_ratio_])
recon = pca.inverse_transform(pca.transform(x))
print("reconstruction mse", repr(float(np.mean((x - recon) ** 2))))
