"""PyTorch peer for `hourglass reproduce hinton`: the same deep autoencoder on the same split.

Reads the split that the reproduction writes (TRAIN.npy, HELDOUT.npy: float32 rows of 784 pixels in
[0, 1]), trains 784-1000-500-250-CODE (ReLU, linear code, logistic output, Bernoulli loss,
Glorot-uniform weights and zero biases as Hourglass initialises them) with Adam, batch 128, and
prints one JSON line: the held-out squared error per image (Σ over pixels of (x − σ(logits))²,
mean over images; Hourglass's measure) after the last epoch, and the training split's.

Usage: peer_torch_hinton.py TRAIN.npy HELDOUT.npy [--code 30] [--epochs 30] [--lr 1e-3]
         [--schedule constant|cosine] [--weight-decay 0] [--threads 1] [--seed 0]
"""
import argparse, json, math, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("train")
ap.add_argument("heldout")
ap.add_argument("--code", type=int, default=30)
ap.add_argument("--epochs", type=int, default=30)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--schedule", default="constant")
ap.add_argument("--weight-decay", type=float, default=0.0)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

xtr = torch.from_numpy(np.load(a.train).astype(np.float32))
xte = torch.from_numpy(np.load(a.heldout).astype(np.float32))


def linear(i, o):
    l = nn.Linear(i, o)
    nn.init.uniform_(l.weight, -math.sqrt(6 / (i + o)), math.sqrt(6 / (i + o)))
    nn.init.zeros_(l.bias)
    return l


def stack(sizes):
    layers = []
    for i, (p, q) in enumerate(zip(sizes, sizes[1:])):
        layers.append(linear(p, q))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


w = [784, 1000, 500, 250, a.code]
model = nn.Sequential(stack(w), stack(w[::-1]))
# Adam with coupled L2 (Hourglass's weight decay, where used, adds λ·w to the gradient too).
opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
steps_per_epoch = math.ceil(xtr.shape[0] / a.batch)


def lr_at(epoch):  # 1-based, Hourglass's cosine (floor 0.01)
    if a.schedule == "cosine":
        t = 0 if a.epochs <= 1 else (epoch - 1) / (a.epochs - 1)
        return a.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))
    return a.lr


@torch.no_grad()
def sq_error(x):
    s = 0.0
    for i in range(0, x.shape[0], 1000):
        xb = x[i : i + 1000]
        s += ((torch.sigmoid(model(xb)) - xb) ** 2).sum().item()
    return s / x.shape[0]


started = time.time()
curve = []
for epoch in range(1, a.epochs + 1):
    for g in opt.param_groups:
        g["lr"] = lr_at(epoch)
    perm = torch.randperm(xtr.shape[0])
    for i in range(0, xtr.shape[0], a.batch):
        xb = xtr[perm[i : i + a.batch]]
        loss = F.binary_cross_entropy_with_logits(model(xb), xb, reduction="sum") / xb.shape[0]
        opt.zero_grad()
        loss.backward()
        opt.step()
    curve.append(round(sq_error(xte), 3))
print(json.dumps({"code": a.code, "epochs": a.epochs, "lr": a.lr, "schedule": a.schedule, "weight_decay": a.weight_decay, "heldout": sq_error(xte), "train": sq_error(xtr), "curve": curve, "seconds": round(time.time() - started, 1), "torch": torch.__version__}))
