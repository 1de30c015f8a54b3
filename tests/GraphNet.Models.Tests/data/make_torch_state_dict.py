"""Writes torch_state_dict.safetensors: the state_dict of a small PyTorch module (conv, batch norm after a few training
batches, linear, LSTM), with the inputs and the outputs PyTorch computed in eval mode under "io." names.
GraphNet's TorchMirror model (tests/GraphNet.Models.Tests/LayerModels.cs) has the same attribute names; the test loads
the file with LoadPyTorch and compares outputs. Run with the Debian python3-torch (1.13): python3 make_torch_state_dict.py
The safetensors layout is written by hand (8-byte header length, JSON header, raw little-endian data)."""
import json
import struct

import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4 * 6 * 6, 10)
        self.lstm = torch.nn.LSTM(5, 6, batch_first=True)

    def images(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))

    def sequence(self, s):
        return self.lstm(s)[0]


torch.manual_seed(7)
net = Net()
net.train()
for _ in range(3):  # running statistics away from their defaults
    net.images(torch.randn(16, 1, 8, 8) * 2 + 0.5)
net.eval()
x = torch.randn(3, 1, 8, 8)
s = torch.randn(2, 4, 5)
with torch.no_grad():
    y = net.images(x)
    h = net.sequence(s)

tensors = dict(net.state_dict())
tensors.update({"io.images": x, "io.logits": y, "io.sequence": s, "io.outputs": h})
dtypes = {torch.float32: "F32", torch.int64: "I64"}
header, blobs, offset = {"__metadata__": {"format": "pt", "written_by": f"torch {torch.__version__}"}}, [], 0
for name, t in tensors.items():
    data = t.detach().contiguous().numpy().tobytes()
    header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * (-len(text) % 8)
with open("torch_state_dict.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for b in blobs:
        f.write(b)
print("wrote torch_state_dict.safetensors:", ", ".join(f"{k} {list(v.shape)}" for k, v in tensors.items()))
