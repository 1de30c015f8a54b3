"""Writes recurrent_pytorch.json: PyTorch's nn.LSTM, nn.GRU and nn.RNN (two layers, with their state_dicts as
PyTorch names them), inputs and outputs, so RecurrentTests can load the weights name for name and compare.
Run with the Debian python3-torch: /usr/bin/python3 make_recurrent_fixture.py"""
import json
import torch

torch.manual_seed(7)
I, H, B, T = 3, 4, 2, 5
layers = {
    "lstm": torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, batch_first=True),
    "gru": torch.nn.GRU(I, H, num_layers=2, bidirectional=True),  # time-major, PyTorch's default
    "rnn": torch.nn.RNN(I, H, num_layers=2, nonlinearity="relu", batch_first=True),
}
out = {"torch": torch.__version__}
for name, layer in layers.items():
    d = 2 if layer.bidirectional else 1
    x = torch.randn(B, T, I) if layer.batch_first else torch.randn(T, B, I)
    h0 = torch.randn(2 * d, B, H)
    entry = {"state_dict": {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in layer.state_dict().items()}}
    with torch.no_grad():
        if name == "lstm":
            c0 = torch.randn(2 * d, B, H)
            y, (hn, cn) = layer(x, (h0, c0))
            entry["c0"] = c0.flatten().tolist()
            entry["cn"] = cn.flatten().tolist()
        else:
            y, hn = layer(x, h0)
    entry.update(x=x.flatten().tolist(), x_shape=list(x.shape), h0=h0.flatten().tolist(),
                 output=y.flatten().tolist(), output_shape=list(y.shape), hn=hn.flatten().tolist())
    out[name] = entry
with open("recurrent_pytorch.json", "w") as f:
    json.dump(out, f, indent=None)
