"""What the JAX peers share: the jitted Adam step over minibatch i % 8, and what they report beside
their rates (version, threads, ISA)."""
import os

import jax
import optax


def adam_steps(loss, params, tx, data, key):
    """One jax.jit step (loss, grad, optax update) as peer_timing.time_steps runs it: `run(start, n)`
    runs n steps over data[0 … n − 1 mod 8] (start only counts; the carried state moves on)."""

    # Parameters and optimizer state are donated: XLA updates them in place, as a tuned JAX user would.
    @jax.jit(donate_argnums=(0, 1))
    def train_step(params, state, x, key):
        key, sub = jax.random.split(key)
        l, g = jax.value_and_grad(loss)(params, x, sub)
        updates, state = tx.update(g, state, params)
        return optax.apply_updates(params, updates), state, key, l

    carried = [params, tx.init(params), key]

    def run(start, n):
        params, state, key = carried
        for i in range(n):
            params, state, key, l = train_step(params, state, data[i % 8], key)
        jax.block_until_ready(l)
        carried[:] = [params, state, key]

    return run


def pool_threads():
    # XLA's CPU client sizes its pool from the cores it may use.
    return len(os.sched_getaffinity(0))


def version():
    return f"jax {jax.__version__}, jaxlib {jax.lib.__version__ if hasattr(jax.lib, '__version__') else jax.__version__}, optax {optax.__version__}"


def isa():
    try:
        flags = next(l for l in open("/proc/cpuinfo") if l.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    level = "AVX512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "AVX" if "avx" in flags else "SSE"
    return f"{level} (XLA JIT for the host)"
