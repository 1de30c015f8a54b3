using System;
using System.Linq;
using GraphNet;
using Samples.Embeddings;

// Word embeddings of the 1000 most frequent words of fortunes.txt: skip-gram with negative sampling (noise words drawn
// inside the compiled step) and GloVe (weighted least squares on log co-occurrence counts), with nearest neighbours.
var corpus = Corpus.Load();
Console.WriteLine($"{corpus.Ids.Length:N0} words of text in a vocabulary of {Corpus.Vocabulary}");
var sg = Sample.SkipGramRun(corpus: corpus);
Console.WriteLine($"skip-gram: loss {string.Join(" → ", sg.Loss.Select(l => l.ToString("F3")))}");
Console.WriteLine($"  scores of frequent pairs vs PMI (Levy–Goldberg): correlation {sg.Correlation:F3} trained (none at the start: the context vectors start at zero)");
foreach (var (word, near) in sg.Neighbours) Console.WriteLine($"  {word,-9} {string.Join(", ", near)}");
var glove = Sample.GloVeRun(corpus: corpus);
Console.WriteLine($"GloVe: objective {glove.Loss[0]:F4} → {glove.Loss[^1]:F4} over {glove.Loss.Length} epochs");
Console.WriteLine($"  fit vs log X: correlation {glove.CorrelationAtStart:F3} at the start, {glove.Correlation:F3} trained");
foreach (var (word, near) in glove.Neighbours) Console.WriteLine($"  {word,-9} {string.Join(", ", near)}");
sg.Curve.Write("runs/skipgram-loss", "skip-gram with negative sampling: training loss");
glove.Curve.Write("runs/glove-objective", "GloVe: objective per epoch");
Console.WriteLine("wrote runs/skipgram-loss.{csv,svg}, runs/glove-objective.{csv,svg}");
