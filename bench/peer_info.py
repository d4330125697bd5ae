"""What the torch peers share: their minibatch step, and what they report beside their rates: the BLAS
torch really loaded and the ISA it runs, so a misconfigured peer (the reference BLAS) is seen and
refused (bench/peers.ts, misconfigured())."""
import os

import torch


def blas():
    """The BLAS torch was built with, and for a generic build the library actually loaded."""
    cfg = torch.__config__.show()
    info = next((p.split("=", 1)[1] for p in cfg.replace(",", "\n").split() if p.startswith("BLAS_INFO=")), "unknown")
    if info != "generic":
        return info
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = sorted({os.path.realpath(l.split()[-1]) for l in f if "blas" in l.lower() and l.split()[-1].startswith("/")})
    # Debian's libblas.so.3 alternative: OpenBLAS (openblas-pthread/openmp) or the reference BLAS.
    if any("openblas" in l for l in libs):
        return "generic → OpenBLAS (" + ", ".join(sorted({os.path.dirname(l).rsplit("/", 1)[-1] for l in libs if "openblas" in l})) + ")"
    return "generic → reference BLAS (" + ", ".join(libs) + ")" if libs else "generic → none loaded"


def isa():
    cap = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    if cap:
        return cap()
    line = next((l for l in torch.__config__.show().splitlines() if "CPU capability usage" in l), "")
    return line.split(":")[-1].strip() or "unknown"


def minibatch_steps(data, batch, opt, loss_fn, opt_step):
    """The torch peers' step (minibatch i % 8 of `data`, its loss, backward, the optimizer step), as
    peer_timing.time_steps runs it: `run(start, n)` runs steps start … start + n − 1."""

    def step(i):
        x = data[(i % 8) * batch : (i % 8 + 1) * batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(x)
        loss.backward()
        opt_step()

    return each(step)


def each(step):
    """`step(i)` for i = start … start + n − 1, as peer_timing.time_steps runs it."""

    def run(start, n):
        for i in range(start, start + n):
            step(i)

    return run
