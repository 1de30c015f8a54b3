using System;
using System.Linq;
using GraphNet;
using Samples.Contrastive;

// SimCLR and BYOL pretrained on MNIST-10k without labels, each judged by a linear probe on its frozen encoder against
// an untrained encoder of the same seed and the raw pixels; the training curves and a grid of augmented views under runs/.
var r = Sample.Run();
Console.WriteLine(r);
r.Curve.Write("runs/contrastive-loss", "SimCLR and BYOL on MNIST-10k: training loss");
// eight test digits (top row) and two random views of each, as the training steps draw them
var digits = Tensor.FromArray(r.TestImages.Data.AsSpan(0, 8 * SimClr.Pixels).ToArray(), 8, SimClr.Pixels);
var (view1, view2) = r.SimClr.Model.Augment(digits);
ImageGrid.WritePng("runs/contrastive-views.png", Tensor.FromArray(digits.Data.Concat(view1.Data).Concat(view2.Data).ToArray(), 24, SimClr.Pixels), 28, 28, columns: 8);
Console.WriteLine("wrote runs/contrastive-loss.{csv,svg}, runs/contrastive-views.png");
