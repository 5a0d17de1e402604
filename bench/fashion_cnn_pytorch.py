#!/usr/bin/env python3
"""PyTorch twin of `fovea train fashion-cnn --batch 64 --lr 0.001 --schedule constant --augment none`.

The same network (3x3 convolutions of 64 filters with ReLU, 2x2 max pooling, dense 128 with ReLU, dense 10),
Glorot-uniform weights and zero biases, Adam 1e-3, batch 64, the training set shuffled every epoch, pixels scaled
to [0, 1]. Prints one line per epoch in the form `fovea train` uses (seconds of training only), then the test
accuracy. Threads: --threads N sets torch.set_num_threads(N); set OMP_NUM_THREADS and MKL_NUM_THREADS to N too
(bench/train-vs-pytorch.sh does).

    python3 bench/fashion_cnn_pytorch.py --data DIR --epochs 1 --threads 1
"""
import argparse
import gzip
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    """The array of an IDX file (gzip-compressed or not) as a uint8 tensor of its dimensions."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    if magic >> 8 != 0x08:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes (magic {magic:#x})")
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    raise SystemExit(f"{data_dir}: no {stem}[.gz]")


def load(data_dir, split):
    images = read_idx(find(data_dir, f"{split}-images-idx3-ubyte")).float().div_(255).unsqueeze(1)
    labels = read_idx(find(data_dir, f"{split}-labels-idx1-ubyte")).long()
    return images, labels


def fashion_cnn():
    net = nn.Sequential(
        nn.Conv2d(1, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder of the Fashion-MNIST IDX files")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only (0: all)")
    a = ap.parse_args()
    if a.epochs < 1 or a.threads < 1 or a.batch < 1 or not a.lr > 0:
        raise SystemExit("--epochs, --threads and --batch must be >= 1 and --lr > 0")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load(a.data, "train")
    if a.limit > 0:
        x, y = x[:a.limit], y[:a.limit]
    tx, ty = load(a.data, "t10k")
    net = fashion_cnn()
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, {len(x)} training images",
          file=sys.stderr)
    for epoch in range(a.epochs):
        net.train()
        order = torch.randperm(len(x))
        t0 = time.perf_counter()
        for i in range(0, len(x), a.batch):
            idx = order[i:i + a.batch]
            opt.zero_grad()
            loss = F.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - t0
        net.eval()
        with torch.no_grad():
            correct = sum(int((net(tx[i:i + 1000]).argmax(1) == ty[i:i + 1000]).sum())
                          for i in range(0, len(tx), 1000))
        print(f"epoch {epoch + 1}/{a.epochs}: test accuracy {correct / len(tx):.4f}, {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
