#!/usr/bin/python3
"""Writes the PyTorch weights files the models module's tests load (SafeTensorsPyTorchTest).

Run from the repository root with Debian's python3-torch:

    /usr/bin/python3 models/src/test/python/write_pytorch_weights.py

It trains two small CNNs for a few steps on random data (so batch norm's running statistics are not the
defaults), switches them to eval mode and writes, into models/src/test/resources/dev/fovea/models/pytorch/:

- sequential-f32/-f16/-bf16/-f64.safetensors: the state_dict of an nn.Sequential (names "0.weight", "11.bias", ...)
  with its floating-point tensors in that dtype (num_batches_tracked stays I64, as PyTorch keeps it);
- named-f32.safetensors: the state_dict of a module with named children ("features.conv.weight", "head.bias");
- *-io.safetensors: an input batch and what PyTorch's eval-mode forward pass returns for it, F32. For the
  F16, BF16 and F64 files the expected output is computed by the model whose weights were rounded to that dtype
  and widened back to float32, so loading them exactly must give PyTorch's float32 output.

The safetensors container is written here directly (8-byte little-endian header length, JSON header, raw
little-endian data), since Debian packages no safetensors module for Python; tensors are sorted by name as the
reference writer does for tensors of one dtype, which puts "11.weight" before "4.weight".
"""
import json
import os
import struct

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "dev", "fovea", "models", "pytorch")

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
          torch.int64: "I64"}


def raw_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are the same
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save(tensors, path, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    data = bytearray()
    for name in sorted(tensors):
        t = tensors[name]
        b = raw_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(bytes(data))


def train(model, shape, classes, steps=20):
    torch.manual_seed(1)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(steps):
        x = torch.randn(16, *shape) * 2 + 0.5
        y = torch.randint(0, classes, (16,))
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()


def sequential():
    # 3×12×12 → conv 3×3 pad 1 → BN → ReLU → max 2 (8×6×6) → conv 3×3 no bias → BN → ReLU (12×4×4)
    # → flatten (192, PyTorch's c, h, w order) → linear 32 → ReLU → dropout → linear 10.
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 12, 3, bias=False), nn.BatchNorm2d(12), nn.ReLU(),
        nn.Flatten(), nn.Linear(192, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))


class Named(nn.Module):
    # 1×10×10 → conv 3×3 (4×8×8) → BN → ReLU → avg 2 (4×4×4) → flatten (64) → linear 6.
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential()
        self.features.add_module("conv", nn.Conv2d(1, 4, 3))
        self.features.add_module("bn", nn.BatchNorm2d(4))
        self.head = nn.Linear(64, 6)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.relu(self.features(x)), 2)
        return self.head(torch.flatten(x, 1))


def write_io(model, x, name):
    with torch.no_grad():
        save({"input": x, "output": model(x)}, os.path.join(OUT, name + "-io.safetensors"))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    seq = sequential()
    train(seq, (3, 12, 12), 10)
    x = torch.randn(3, 3, 12, 12)
    for dtype, suffix in [(torch.float32, "f32"), (torch.float16, "f16"), (torch.bfloat16, "bf16"),
                          (torch.float64, "f64")]:
        sd = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in seq.state_dict().items()}
        save(sd, os.path.join(OUT, "sequential-" + suffix + ".safetensors"), {"format": "pt"})
        rounded = sequential()
        rounded.load_state_dict({k: v.to(torch.float32) if v.is_floating_point() else v for k, v in sd.items()})
        rounded.eval()
        write_io(rounded, x, "sequential-" + suffix)

    torch.manual_seed(0)
    named = Named()
    train(named, (1, 10, 10), 6)
    save(named.state_dict(), os.path.join(OUT, "named-f32.safetensors"), {"format": "pt"})
    write_io(named, torch.randn(2, 1, 10, 10), "named-f32")


if __name__ == "__main__":
    main()
