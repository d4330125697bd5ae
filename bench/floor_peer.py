"""The peers' side of bench/floor.ts: the same matrix products with MKL (torch) and XLA (jax.jit),
and one Adam update over the same parameter shapes (torch's fused CPU Adam, optax's jitted adam).
Each time is the best of `reps` repetitions, as on the onnxruntime side.

Reads one JSON object on stdin: {"threads": t, "reps": r, "matmuls": [[m, k, n, "NN"|"TN"|"NT"], ...],
"params": [[shape...], ...]}. Prints one JSON object: per matmul and per library the best CPU
and wall milliseconds of one product; per library the milliseconds of one Adam update.
CPU time (process_time) is the steadier measure on a shared machine; wall time is what a step pays.
"""
import json, os, sys, time

spec = json.load(sys.stdin)
threads, reps = spec["threads"], spec["reps"]
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

torch.set_num_threads(threads)


def timed(fn, inner):
    fn()
    fn()
    cpus, walls = [], []
    for _ in range(reps):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(inner):
            fn()
        cpus.append((time.process_time() - c0) * 1000 / inner)
        walls.append((time.perf_counter() - w0) * 1000 / inner)
    return {"cpu_ms": min(cpus), "wall_ms": min(walls)}


def operands(m, k, n, kind, mk):
    a = mk((k, m)) if kind == "TN" else mk((m, k))
    b = mk((n, k)) if kind == "NT" else mk((k, n))
    return a, b


out = {"torch": {"version": torch.__version__, "blas": "mkl" if torch.backends.mkl.is_available() else "other", "matmuls": []},
       "jax": {"version": jax.__version__, "matmuls": []}}
for m, k, n, kind in spec["matmuls"]:
    inner = max(1, int(2e8 / (2 * m * k * n)))
    a, b = operands(m, k, n, kind, lambda s: torch.rand(*s))
    ta = (lambda: a.t() @ b) if kind == "TN" else (lambda: a @ b.t()) if kind == "NT" else (lambda: a @ b)
    out["torch"]["matmuls"].append(timed(ta, inner))
    ja, jb = operands(m, k, n, kind, lambda s: jnp.asarray(torch.rand(*s).numpy()))
    f = jax.jit((lambda x, y: x.T @ y) if kind == "TN" else (lambda x, y: x @ y.T) if kind == "NT" else (lambda x, y: x @ y))
    out["jax"]["matmuls"].append(timed(lambda: f(ja, jb).block_until_ready(), inner))

# One Adam update over the model's parameters: torch's fused CPU kernel (one pass per tensor) and
# optax's adam under jax.jit (XLA fuses the elementwise chain).
ps = [torch.zeros(*s, requires_grad=True) for s in spec["params"]]
for p in ps:
    p.grad = torch.randn_like(p)
for label, kw in (("adam_fused", {"fused": True}), ("adam_foreach", {"foreach": True})):
    try:
        opt = torch.optim.Adam(ps, lr=1e-3, **kw)
        out["torch"][label] = timed(opt.step, 20)
    except Exception as e:  # an older torch without the fused CPU Adam
        out["torch"][label] = {"error": str(e)}
jp = [jnp.zeros(tuple(s), jnp.float32) for s in spec["params"]]
jg = [jnp.ones(tuple(s), jnp.float32) for s in spec["params"]]
tx = optax.adam(1e-3)
st = tx.init(jp)


# Donated like the JAX peer's train step, so XLA updates in place.
@jax.jit(donate_argnums=(0, 2))
def upd(p, g, s):
    u, s = tx.update(g, s, p)
    return optax.apply_updates(p, u), s


state = {"p": jp, "s": st}


def jstep():
    state["p"], state["s"] = upd(state["p"], jg, state["s"])
    jax.block_until_ready(state["p"])


out["jax"]["adam"] = timed(jstep, 20)
print(json.dumps(out))
