using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using GraphNet;
using Samples.MnistMlp;

// Mirrors shared/peers/workloads/a_mlp.py: MLP 784-256-256-10, ReLU, softmax cross-entropy, plain SGD (lr 0.01),
// batch 128, fp32, a 60000x784 random data set walked in contiguous batches. One step = forward + loss + backward
// + update (the generated [Train] entry). Same timing rule as the peers' bench(): 20 warm-up steps, then 11
// repetitions of at least 0.4 s each (within a 12 s budget); reports the median and range of steps/s as JSON.
int batch = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 128;
const int N = 60000;
var x = new Tensor(N, 784);
new Rng(1, 1).FillNormal(x.Data, 0, 1);
var y = new Tensor(N);
var labels = new Rng(1, 2);
for (int i = 0; i < N; i++) y.Data[i] = labels.Bits((ulong)i) % 10;
int batches = N / batch;
var xs = Enumerable.Range(0, batches).Select(b => Tensor.FromArray(x.Data.AsSpan(b * batch * 784, batch * 784), batch, 784)).ToArray();
var ys = Enumerable.Range(0, batches).Select(b => Tensor.FromArray(y.Data.AsSpan(b * batch, batch), batch)).ToArray();
var model = new Mlp(seed: 1);
var opt = new Sgd(0.01f);
int next = 0;
void Step() { model.Step(xs[next], ys[next], opt); next = (next + 1) % batches; }

for (int i = 0; i < 20; i++) Step();
var rates = new System.Collections.Generic.List<double>();
var budget = Stopwatch.StartNew();
while (rates.Count < 11 && budget.Elapsed.TotalSeconds < 12)
{
    var clock = Stopwatch.StartNew();
    int steps = 0;
    while (clock.Elapsed.TotalSeconds < 0.4) { Step(); steps++; }
    rates.Add(steps / clock.Elapsed.TotalSeconds);
}
rates.Sort();
double median = rates[rates.Count / 2];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"workload\": \"a_mlp\", \"impl\": \"graphnet\", \"batch\": {batch}, \"threads\": 1, \"reps\": {rates.Count}, \"steps_per_s\": {median:F1}, \"steps_per_s_min\": {rates[0]:F1}, \"steps_per_s_max\": {rates[^1]:F1}, \"samples_per_s\": {median * batch:F0}}}"));
