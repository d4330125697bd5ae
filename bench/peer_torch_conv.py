"""PyTorch peer for the conv rows (bench/conv.ts, npm run bench): the conv AE and the chairs conv
VAE, Adam, timed like peer_torch.py, eager or torch.compile'd.

Prints one JSON object: {"steps_per_s": [...], "max_rss_kb": n, "threads": t, "layout": l,
"compile_s": s | null, "version": v, "blas": b, "isa": i}.
Usage: peer_torch_conv.py MODEL BATCH STEPS REPS THREADS [nchw|channels_last] [eager|compile]
The layout and mode may also come from HG_LAYOUT and HG_MODE (how bench/peers.ts sets them per configuration).
"""
import json, os, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_info import blas, isa, minibatch_steps
from peer_timing import compile_s, report, time_steps

model_name, batch, steps, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
layout = sys.argv[6] if len(sys.argv) > 6 else os.environ.get("HG_LAYOUT", "nchw")
mode = sys.argv[7] if len(sys.argv) > 7 else os.environ.get("HG_MODE", "eager")
torch.set_num_threads(threads)
torch.manual_seed(0)


def down(a, b):
    return nn.Conv2d(a, b, 4, 2, 1)


def up(a, b):
    return nn.ConvTranspose2d(a, b, 4, 2, 1)


class ConvAE(nn.Module):
    side = 28

    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.fc = down(1, 16), down(16, 32), nn.Linear(32 * 7 * 7, 32)
        self.d1, self.t1, self.t2 = nn.Linear(32, 32 * 7 * 7), up(32, 16), up(16, 1)

    def loss(self, x):
        h = F.relu(self.c2(F.relu(self.c1(x))))
        z = self.fc(h.flatten(1))
        y = self.t2(F.relu(self.t1(F.relu(self.d1(z)).view(-1, 32, 7, 7))))
        return F.binary_cross_entropy_with_logits(y, x, reduction="sum") / x.shape[0]


class ChairsVAE(nn.Module):
    side = 64

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(down(1, 32), nn.ReLU(), down(32, 32), nn.ReLU(), down(32, 64), nn.ReLU(), down(64, 64), nn.ReLU())
        self.fc, self.mu, self.lv = nn.Linear(1024, 256), nn.Linear(256, 32), nn.Linear(256, 32)
        self.d1, self.d2 = nn.Linear(32, 256), nn.Linear(256, 1024)
        self.dec = nn.Sequential(up(64, 64), nn.ReLU(), up(64, 32), nn.ReLU(), up(32, 32), nn.ReLU(), up(32, 1))

    def loss(self, x):
        h = F.relu(self.fc(self.enc(x).flatten(1)))
        mu, lv = self.mu(h), self.lv(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        y = self.dec(F.relu(self.d2(F.relu(self.d1(z)))).view(-1, 64, 4, 4))
        rec = F.binary_cross_entropy_with_logits(y, x, reduction="sum") / x.shape[0]
        kl = 0.5 * torch.sum(mu * mu + lv.exp() - 1 - lv) / x.shape[0]
        return rec + kl


model = {"conv_ae": ConvAE, "chairs_vae": ChairsVAE}[model_name]()
fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
model = model.to(memory_format=fmt)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.compile(model.loss) if mode == "compile" else model.loss
opt_step = torch.compile(opt.step) if mode == "compile" else opt.step
data = torch.rand(batch * 8, 1, model.side, model.side).to(memory_format=fmt)


run_steps = minibatch_steps(data, batch, opt, loss_fn, opt_step)

# bench/conv.ts runs this file under another name to time run_steps itself (CPU time per step).
if __name__ == "__main__":
    first, rates = time_steps(run_steps, 3, reps, steps)
    report(rates, torch.get_num_threads(), layout=layout, compile_s=compile_s(first, rates) if mode == "compile" else None, version=torch.__version__, blas=blas(), isa=isa())
