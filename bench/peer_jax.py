"""JAX peer for `npm run bench`: one jax.jit train step (loss, grad, optax Adam), the same models,
initialisation, batch and data as peer_torch.py, timed the same way.

Prints one JSON object: {"steps_per_s": [...], "max_rss_kb": n, "threads": t, "compile_s": s,
"version": v, "blas": b, "isa": i}.
Usage: peer_jax.py MODEL BATCH STEPS REPS THREADS
THREADS is reported, not set: XLA's CPU client sizes its pool from the cores it may use.
"""
import json, math, os, resource, sys, time

import jax
import jax.numpy as jnp
import optax

from peer_timing import compile_s, report, time_steps
from peer_xla import adam_steps, isa, pool_threads, version

model_name, batch, steps, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
key = jax.random.PRNGKey(0)


def linear(key, i, o):
    # Hourglass's dense init: Glorot-uniform weights ([in, out]), zero biases.
    lim = math.sqrt(6 / (i + o))
    return {"W": jax.random.uniform(key, (i, o), jnp.float32, -lim, lim), "b": jnp.zeros((o,), jnp.float32)}


def dense(p, x):
    return x @ p["W"] + p["b"]


def bce(logits, x):
    return jnp.sum(optax.sigmoid_binary_cross_entropy(logits, x)) / x.shape[0]


def vae_init(key):
    k = jax.random.split(key, 5)
    return {"e": linear(k[0], 784, 400), "mu": linear(k[1], 400, 20), "lv": linear(k[2], 400, 20), "d1": linear(k[3], 20, 400), "d2": linear(k[4], 400, 784)}


def vae_loss(p, x, key):
    h = jax.nn.relu(dense(p["e"], x))
    mu, lv = dense(p["mu"], h), dense(p["lv"], h)
    z = mu + jnp.exp(0.5 * lv) * jax.random.normal(key, mu.shape, jnp.float32)
    logits = dense(p["d2"], jax.nn.relu(dense(p["d1"], z)))
    return bce(logits, x) + 0.5 * jnp.sum(mu * mu + jnp.exp(lv) - 1 - lv) / x.shape[0]


def ksparse_init(key):
    return {"enc": linear(key, 784, 1000), "b_dec": jnp.zeros((784,), jnp.float32)}


def ksparse_loss(p, x, key, k=25):
    h = dense(p["enc"], x)
    _, idx = jax.lax.top_k(h, k)
    mask = jax.lax.stop_gradient(jnp.sum(jax.nn.one_hot(idx, h.shape[1], dtype=h.dtype), axis=1))
    xhat = (h * mask) @ p["enc"]["W"].T + p["b_dec"]
    return jnp.sum((xhat - x) ** 2) / x.shape[0]


WIDTHS = [784, 1000, 500, 250, 2]


def deep_init(key):
    pairs = list(zip(WIDTHS, WIDTHS[1:])) + list(zip(WIDTHS[::-1], WIDTHS[::-1][1:]))
    return [linear(k, a, b) for k, (a, b) in zip(jax.random.split(key, len(pairs)), pairs)]


def deep_loss(p, x, key):
    h, half = x, len(p) // 2
    for i, l in enumerate(p):
        h = dense(l, h)
        if i not in (half - 1, len(p) - 1):
            h = jax.nn.relu(h)
    return bce(h, x)


init, loss = {"vae": (vae_init, vae_loss), "k_sparse": (ksparse_init, ksparse_loss), "deep_ae": (deep_init, deep_loss)}[model_name]
key, pk, dk = jax.random.split(key, 3)
params = init(pk)
tx = optax.adam(1e-3)
data = jax.random.uniform(dk, (8, batch, 784), jnp.float32)

first, rates = time_steps(adam_steps(loss, params, tx, data, key), 18, reps, steps)
report(rates, pool_threads(), compile_s=compile_s(first, rates), version=version(), blas="XLA:CPU (its own dot kernels, no BLAS)", isa=isa())
