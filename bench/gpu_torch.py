"""PyTorch on CUDA for scripts/gpu-check.sh: the same VAE (784-400-20-400-784, Bernoulli, Adam,
lr 1e-3) as bench/peer_torch.py, eager and under torch.compile, data already on the device.
steps/s: median over repetitions after a warm-up, timed between torch.cuda.synchronize() calls.
Usage: gpu_torch.py [--batches 128,1024] [--steps 256] [--reps 5]  -> a JSON line after each measurement, the last one complete.
"""
import argparse, json, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--batches", default="128,1024")
ap.add_argument("--steps", type=int, default=256)
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--modes", default="eager,compile,compile-reduce-overhead")
ap.add_argument("--device", default="cuda")  # cpu: the rehearsal of scripts/gpu-check.sh
a = ap.parse_args()
dev = torch.device(a.device)
sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
torch.backends.cuda.matmul.allow_tf32 = False  # f32 arithmetic, as onnxruntime's CUDA provider by default
torch.backends.cudnn.allow_tf32 = False


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.e, self.mu, self.lv = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.d1, self.d2 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x, eps):
        h = F.relu(self.e(x))
        mu, lv = self.mu(h), self.lv(h)
        z = mu + torch.exp(0.5 * lv) * eps
        logits = self.d2(F.relu(self.d1(z)))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = 0.5 * torch.sum(mu * mu + lv.exp() - 1 - lv) / x.shape[0]
        return rec + kl


def measure(mode, batch):
    torch.manual_seed(0)
    m = VAE().to(dev)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    x = (torch.rand(batch, 784, device=dev) < 0.3).float()

    def step(x):
        eps = torch.randn(x.shape[0], 20, device=dev)
        opt.zero_grad(set_to_none=True)
        loss = m(x, eps)
        loss.backward()
        opt.step()
        return loss

    fn = step if mode == "eager" else torch.compile(step, mode="reduce-overhead" if mode.endswith("reduce-overhead") else None)
    for _ in range(30):
        fn(x)
    sync()
    rates = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            fn(x)
        sync()
        rates.append(a.steps / (time.perf_counter() - t0))
    return statistics.median(rates), rates


out = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0) if dev.type == "cuda" else "none (cpu)", "results": []}
for batch in [int(b) for b in a.batches.split(",")]:
    for mode in a.modes.split(","):
        try:
            med, rates = measure(mode, batch)
            out["results"].append({"model": "vae", "batch": batch, "mode": mode, "steps_per_s": med, "rates": rates})
            print(f"torch {mode} vae batch {batch}: {med:.0f} steps/s", file=sys.stderr)
        except Exception as e:  # torch.compile can fail on a machine without a compiler toolchain
            out["results"].append({"model": "vae", "batch": batch, "mode": mode, "error": str(e).splitlines()[0]})
            print(f"torch {mode} vae batch {batch}: failed: {e}", file=sys.stderr)
        # The whole object after every measurement: a run cut short by a time limit keeps what it has.
        print(json.dumps(out), flush=True)
