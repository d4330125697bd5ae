"""PyTorch peer for the DCGAN row of `npm run bench`: examples/gan.ts's dcgan (64×64×1, 32 maps at
32×32, 100 latents, batch norm, non-saturating loss), Adam lr 2e-4, β1 0.5 for both players; one
round = one discriminator step and one generator step. Only the stepping player's gradients are
computed (torch.autograd.grad), as in Hourglass's step graphs. Eager, or the two networks and the
optimizer steps torch.compile'd.

Prints one JSON object like peer_torch.py's (steps_per_s are rounds/s).
Usage: peer_torch_gan.py dcgan BATCH ROUNDS REPS THREADS [eager|compile] (mode also from HG_MODE;
HG_PROFILE=1 first prints torch.profiler's per-op table over ROUNDS rounds to stderr)
"""
import json, os, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_info import blas, each, isa
from peer_timing import compile_s, report, time_steps

_, batch, rounds, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
mode = sys.argv[6] if len(sys.argv) > 6 else os.environ.get("HG_MODE", "eager")
torch.set_num_threads(threads)
torch.manual_seed(0)
B, Z = 32, 100


def up(a, b, bias=False):
    return nn.ConvTranspose2d(a, b, 4, 2, 1, bias=bias)


def down(a, b, bias=False):
    return nn.Conv2d(a, b, 4, 2, 1, bias=bias)


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc, self.bn0 = nn.Linear(Z, 8 * B * 16, bias=False), nn.BatchNorm2d(8 * B)
        self.net = nn.Sequential(up(8 * B, 4 * B), nn.BatchNorm2d(4 * B), nn.ReLU(), up(4 * B, 2 * B), nn.BatchNorm2d(2 * B), nn.ReLU(), up(2 * B, B), nn.BatchNorm2d(B), nn.ReLU(), up(B, 1, True), nn.Tanh())

    def forward(self, z):
        return self.net(F.relu(self.bn0(self.fc(z).view(-1, 8 * B, 4, 4))))


class D(nn.Module):
    def __init__(self):
        super().__init__()
        lr = lambda: nn.LeakyReLU(0.2)
        self.net = nn.Sequential(down(1, B, True), lr(), down(B, 2 * B), nn.BatchNorm2d(2 * B), lr(), down(2 * B, 4 * B), nn.BatchNorm2d(4 * B), lr(), down(4 * B, 8 * B), nn.BatchNorm2d(8 * B), lr(), nn.Flatten(), nn.Linear(8 * B * 16, 1))

    def forward(self, x):
        return self.net(x)


g, d = G(), D()
opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
gf, df = (torch.compile(g), torch.compile(d)) if mode == "compile" else (g, d)
step_g, step_d = (torch.compile(opt_g.step), torch.compile(opt_d.step)) if mode == "compile" else (opt_g.step, opt_d.step)
data = torch.rand(batch * 8, 1, 64, 64)
gp, dp = list(g.parameters()), list(d.parameters())


def round_(i):
    x = data[(i % 8) * batch : (i % 8 + 1) * batch] * 2 - 1
    with torch.no_grad():
        fake = gf(torch.randn(batch, Z))
    loss = F.softplus(-df(x)).mean() + F.softplus(df(fake)).mean()
    for p, gr in zip(dp, torch.autograd.grad(loss, dp)):
        p.grad = gr
    step_d()
    loss = F.softplus(-df(gf(torch.randn(batch, Z)))).mean()
    for p, gr in zip(gp, torch.autograd.grad(loss, gp)):
        p.grad = gr
    step_g()


if os.environ.get("HG_PROFILE"):
    # Where torch's round goes (bench/profileGan.ts is Hourglass's side): eager, after a warm-up
    # round, torch.profiler's per-op self CPU time over `rounds` rounds, on stderr.
    from torch.profiler import ProfilerActivity, profile

    each(round_)(0, 1)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        each(round_)(1, rounds)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr)
first, rates = time_steps(each(round_), 1, reps, rounds)
report(rates, torch.get_num_threads(), compile_s=compile_s(first, rates) if mode == "compile" else None, version=torch.__version__, blas=blas(), isa=isa())
