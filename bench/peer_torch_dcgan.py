"""PyTorch peer of `hourglass reproduce dcgan`: examples/digits-gan.ts (Radford et al.'s DCGAN
for 28×28 digits: 64 latents, 64 maps, N(0, 0.02) weights) trained on the same .npy rows with the same recipe as
Hourglass's GAN loop, then 2,000 samples written as .npy so that Hourglass's sample-quality metric
(one digit classifier for both) scores them.

Same as Hourglass: N(0, 0.02) weights (--init glorot: Glorot-uniform) and zero biases; batch norm (momentum 0.1, eps 1e-5);
non-saturating loss; Adam lr 2e-4, β (0.5, 0.999) for both players; one round = one
discriminator step on a batch drawn uniformly with replacement from the rows (mapped from [0, 1]
to tanh's [−1, 1]) and a fresh fake batch, then one generator step on another fresh fake batch.
Samples come from the generator in eval mode (running statistics), as Hourglass's generate graph.

Usage: peer_torch_dcgan.py TRAIN.npy ROUNDS SAMPLES.npy [--batch 64] [--threads 1] [--seed 1]
       [--samples 2000] [--bn eval|train] [--base 64] [--latent 64] [--init radford|glorot]
       [--ema DECAY] [--g-deep] [--d-dropout P] [--smooth S] [--save-g G.pt] [--snap R1,R2,…]
Prints one JSON line: rounds, seconds, the last losses, and where the samples went.
"""
import argparse, json, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("train")
ap.add_argument("rounds", type=int)
ap.add_argument("out")
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--samples", type=int, default=2000)
ap.add_argument("--bn", choices=["eval", "train"], default="eval")
ap.add_argument("--latent", type=int, default=64)
ap.add_argument("--base", type=int, default=64)
ap.add_argument("--init", choices=["glorot", "radford"], default="radford", help="radford: every weight from N(0, 0.02), as Radford et al. 2015")
ap.add_argument("--ema", type=float, default=0.0, help="also keep an exponential moving average of G's weights with this decay (e.g. 0.999); snapshots then add OUT-<round>-ema.npy, sampled with batch statistics")
ap.add_argument("--g-deep", action="store_true", help="add a stride-1 3×3 layer (2·base maps, batch norm, ReLU) at 7×7 in G, as the common MNIST DCGANs")
ap.add_argument("--d-dropout", type=float, default=0.0, help="dropout after each of D's leaky ReLUs (against D overfitting a small set)")
ap.add_argument("--smooth", type=float, default=1.0, help="one-sided label smoothing: D's target for real digits (Salimans et al. 2016 use 0.9)")
ap.add_argument("--save-g", default="", help="also save G's state dict (weights and batch-norm statistics) here, after the last round")
ap.add_argument("--snap", default="", help="rounds (comma-separated) at which to also write OUT-<round>-eval.npy and -train.npy")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
Z, B = a.latent, a.base


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc, self.bn0 = nn.Linear(Z, 2 * B * 49, bias=False), nn.BatchNorm2d(2 * B)
        deep = [nn.ConvTranspose2d(2 * B, 2 * B, 3, 1, 1, bias=False), nn.BatchNorm2d(2 * B), nn.ReLU()] if a.g_deep else []
        self.net = nn.Sequential(
            *deep,
            nn.ConvTranspose2d(2 * B, B, 4, 2, 1, bias=False), nn.BatchNorm2d(B), nn.ReLU(),  # 14×14
            nn.ConvTranspose2d(B, 1, 4, 2, 1), nn.Tanh(),  # 28×28
        )

    def forward(self, z):
        return self.net(F.relu(self.bn0(self.fc(z).view(-1, 2 * B, 7, 7))))


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, B, 4, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(a.d_dropout),  # 14×14
            nn.Conv2d(B, 2 * B, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * B), nn.LeakyReLU(0.2), nn.Dropout(a.d_dropout),  # 7×7
            nn.Flatten(), nn.Linear(2 * B * 49, 1),
        )

    def forward(self, x):
        return self.net(x)


def glorot(m):
    if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
        if a.init == "radford":
            nn.init.normal_(m.weight, 0.0, 0.02)
        else:
            nn.init.xavier_uniform_(m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


g, d = G(), D()
g.apply(glorot)
d.apply(glorot)
opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
rows = torch.from_numpy(np.load(a.train).astype(np.float32).reshape(-1, 1, 28, 28))
n = rows.shape[0]

snaps = {int(v) for v in a.snap.split(",") if v}


def samples(train_mode, net=None):
    """a.samples images in [0, 1]: eval mode uses the running statistics, train mode each 500's own."""
    net = net or g
    was = net.training
    # Train mode would also move the running statistics, which the final samples then read.
    kept = {k: v.clone() for k, v in net.state_dict().items()}
    net.train(train_mode)
    gen = torch.Generator().manual_seed(a.seed + 7)
    with torch.no_grad():
        imgs = torch.cat([net(torch.randn(500, Z, generator=gen)) for _ in range((a.samples + 499) // 500)])[: a.samples]
    net.load_state_dict(kept)
    net.train(was)
    return ((imgs + 1) * 0.5).clamp(0, 1).numpy().astype(np.float32)


ema = None
if a.ema > 0:
    import copy

    ema = copy.deepcopy(g)


t0 = time.perf_counter()
for r in range(1, a.rounds + 1):
    x = rows[torch.randint(0, n, (a.batch,))] * 2 - 1
    with torch.no_grad():
        fake = g(torch.randn(a.batch, Z))
    real = d(x)
    # Target s for real digits: s·softplus(−D) + (1 − s)·softplus(D) is the cross-entropy against s.
    loss_d = (a.smooth * F.softplus(-real) + (1 - a.smooth) * F.softplus(real)).mean() + F.softplus(d(fake)).mean()
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    # Only G's optimizer steps here. This forward pass also moves D's running statistics, which
    # Hourglass's generator step leaves alone; D always runs in train mode, so they never matter.
    loss_g = F.softplus(-d(g(torch.randn(a.batch, Z)))).mean()
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    if ema is not None:
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), g.parameters()):
                pe.lerp_(p, 1 - a.ema)
    if r % 500 == 0:
        print(json.dumps({"round": r, "d": loss_d.item(), "g": loss_g.item(), "s": time.perf_counter() - t0}), flush=True)
    if r in snaps:
        stem = a.out[:-4] if a.out.endswith(".npy") else a.out
        for mode in ("eval", "train"):
            np.save(f"{stem}-{r}-{mode}.npy", samples(mode == "train"))
        if ema is not None:
            # The average's own batch statistics: the running ones belong to the live weights.
            np.save(f"{stem}-{r}-ema.npy", samples(True, ema))
seconds = time.perf_counter() - t0
if a.save_g:
    torch.save(g.state_dict(), a.save_g)

g.train(a.bn == "train")
with torch.no_grad():
    imgs = torch.cat([g(torch.randn(500, Z)) for _ in range((a.samples + 499) // 500)])[: a.samples]
np.save(a.out, ((imgs + 1) * 0.5).clamp(0, 1).numpy().astype(np.float32))
print(json.dumps({"rounds": a.rounds, "batch": a.batch, "seconds": seconds, "d": loss_d.item(), "g": loss_g.item(), "samples": a.out, "n": a.samples, "bn": a.bn, "torch": torch.__version__}))
