"""PyTorch peer for `npm run bench`: the same models, initialisation, optimizer and batch, timed the same way.

Prints one JSON object: {"steps_per_s": [...], "max_rss_kb": n, "threads": t, "compile_s": s | null,
"version": v, "blas": b, "isa": i}.
Usage: peer_torch.py MODEL BATCH STEPS REPS THREADS [eager|compile]
Runs under Debian's python3-torch (1.13) and under the bench venv's torch 2.x alike.
"""
import json, math, os, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_info import blas, isa, minibatch_steps
from peer_timing import compile_s, report, time_steps

model_name, batch, steps, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
mode = sys.argv[6] if len(sys.argv) > 6 else "eager"
torch.set_num_threads(threads)
torch.manual_seed(0)


def linear(i, o):
    # Hourglass's dense init: Glorot-uniform weights, zero biases.
    l = nn.Linear(i, o)
    nn.init.uniform_(l.weight, -math.sqrt(6 / (i + o)), math.sqrt(6 / (i + o)))
    nn.init.zeros_(l.bias)
    return l


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.e, self.mu, self.lv = linear(784, 400), linear(400, 20), linear(400, 20)
        self.d1, self.d2 = linear(20, 400), linear(400, 784)

    def forward(self, x):
        h = F.relu(self.e(x))
        mu, lv = self.mu(h), self.lv(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        logits = self.d2(F.relu(self.d1(z)))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = 0.5 * torch.sum(mu * mu + lv.exp() - 1 - lv) / x.shape[0]
        return rec + kl


class KSparse(nn.Module):
    def __init__(self, k=25):
        super().__init__()
        self.enc, self.b_dec, self.k = linear(784, 1000), nn.Parameter(torch.zeros(784)), k

    def forward(self, x):
        h = self.enc(x)
        idx = torch.topk(h, self.k, dim=1).indices
        mask = torch.zeros_like(h).scatter_(1, idx, 1.0)
        xhat = (h * mask) @ self.enc.weight + self.b_dec
        return torch.sum((xhat - x) ** 2) / x.shape[0]


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        w = [784, 1000, 500, 250, 2]
        self.enc = nn.ModuleList(linear(a, b) for a, b in zip(w, w[1:]))
        self.dec = nn.ModuleList(linear(a, b) for a, b in zip(w[::-1], w[::-1][1:]))

    def forward(self, x):
        h = x
        for i, l in enumerate(self.enc):
            h = l(h) if i == len(self.enc) - 1 else F.relu(l(h))
        for i, l in enumerate(self.dec):
            h = l(h) if i == len(self.dec) - 1 else F.relu(l(h))
        return F.binary_cross_entropy_with_logits(h, x, reduction="sum") / x.shape[0]


model = {"vae": VAE, "k_sparse": KSparse, "deep_ae": Deep}[model_name]()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
data = torch.rand(batch * 8, 784)
loss_fn = torch.compile(model) if mode == "compile" else model
# The optimizer step compiled too (PyTorch's recipe for compiled Adam): one fused kernel per step.
opt_step = torch.compile(opt.step) if mode == "compile" else opt.step


first, rates = time_steps(minibatch_steps(data, batch, opt, loss_fn, opt_step), 18, reps, steps)
report(rates, torch.get_num_threads(), compile_s=compile_s(first, rates) if mode == "compile" else None, version=torch.__version__, blas=blas(), isa=isa())
