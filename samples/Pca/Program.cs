using System;
using System.Linq;
using GraphNet;
using Samples.Pca;

// PCA of the 8×8 digits by a compiled eigendecomposition, beside a linear autoencoder trained to the same subspace.
var r = Sample.Run();
Console.WriteLine("explained variance ratios: " + string.Join(", ", r.Ratios.Select(v => v.ToString("F4"))));
Console.WriteLine($"reconstruction error from the top {PrincipalComponents.Components} components: PCA {r.PcaError:F4}, linear autoencoder {r.AutoencoderError:F4}");
r.Curve.Write("runs/pca-autoencoder", "linear autoencoder vs PCA on digits");
Console.WriteLine("wrote runs/pca-autoencoder.csv, runs/pca-autoencoder.svg");
