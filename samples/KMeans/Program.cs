using System;
using GraphNet;
using Samples.KMeans;

// K-means with k-means++ seeding on iris (150 flowers, 4 features), k = 1..8, 20 seedings each, best kept: the
// elbow curve, and how the k = 3 clusters line up with the three species.
var result = Sample.Run();
Console.WriteLine($"K-means on iris, best of {result.Restarts} k-means++ seedings per k (seeding and Lloyd's iterations are compiled [Update] entries)");
for (int i = 0; i < result.Ks.Length; i++) Console.WriteLine($"k = {result.Ks[i]}: inertia {result.Inertia[i]:F4}");
Console.WriteLine($"k = 3: {result.SpeciesAgreement:P1} of the flowers share their cluster's majority species");
result.Elbow.Write("runs/kmeans-elbow", "K-means on iris: inertia by k");
Console.WriteLine("wrote runs/kmeans-elbow.csv, runs/kmeans-elbow.svg");
