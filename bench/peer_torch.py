"""PyTorch peer for `npm run bench`: the same models, optimizer and batch, timed the same way.

Prints one JSON object: {"steps_per_s": [...], "max_rss_kb": n, "threads": t}.
Usage: peer_torch.py MODEL BATCH STEPS REPS THREADS
"""
import json, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

model_name, batch, steps, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.e, self.mu, self.lv = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.d1, self.d2 = nn.Linear(20, 400), nn.Linear(400, 784)

    def loss(self, x):
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
        self.enc, self.b_dec, self.k = nn.Linear(784, 1000), nn.Parameter(torch.zeros(784)), k

    def loss(self, x):
        h = self.enc(x)
        idx = torch.topk(h, self.k, dim=1).indices
        mask = torch.zeros_like(h).scatter_(1, idx, 1.0)
        xhat = (h * mask) @ self.enc.weight + self.b_dec
        return torch.sum((xhat - x) ** 2) / x.shape[0]


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        w = [784, 1000, 500, 250, 2]
        self.enc = nn.ModuleList(nn.Linear(a, b) for a, b in zip(w, w[1:]))
        self.dec = nn.ModuleList(nn.Linear(a, b) for a, b in zip(w[::-1], w[::-1][1:]))

    def loss(self, x):
        h = x
        for i, l in enumerate(self.enc):
            h = l(h) if i == len(self.enc) - 1 else F.relu(l(h))
        for i, l in enumerate(self.dec):
            h = l(h) if i == len(self.dec) - 1 else F.relu(l(h))
        return F.binary_cross_entropy_with_logits(h, x, reduction="sum") / x.shape[0]


model = {"vae": VAE, "k_sparse": KSparse, "deep_ae": Deep}[model_name]()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
data = torch.rand(batch * 8, 784)


def step(i):
    x = data[(i % 8) * batch : (i % 8 + 1) * batch]
    opt.zero_grad(set_to_none=True)
    loss = model.loss(x)
    loss.backward()
    opt.step()


for i in range(20):
    step(i)
rates = []
for r in range(reps):
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    rates.append(steps / (time.perf_counter() - t0))
print(json.dumps({"steps_per_s": rates, "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "threads": threads}))
