"""JAX peer for the conv rows of `npm run bench`: the conv AE and the chairs conv VAE written with
jax.lax convolutions (a transposed convolution as a dilated one, as jax.lax.conv_transpose does),
one jax.jit train step with optax Adam, parameters and state donated; timed like peer_jax.py.
No flax: the bench venv has jax and optax only, and these two networks need no more than lax.

Prints one JSON object: {"steps_per_s": [...], "max_rss_kb": n, "threads": t, "compile_s": s,
"version": v, "blas": b, "isa": i}.
Usage: peer_jax_conv.py MODEL BATCH STEPS REPS THREADS (THREADS reported, not set, as in peer_jax.py)
"""
import json, math, os, resource, sys, time

import jax
import jax.numpy as jnp
import optax
from jax import lax

from peer_timing import compile_s, report, time_steps
from peer_xla import adam_steps, isa, pool_threads, version

model_name, batch, steps, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
DN = ("NCHW", "OIHW", "NCHW")


def uniform(key, shape, fan_in):
    lim = 1 / math.sqrt(fan_in)
    return jax.random.uniform(key, shape, jnp.float32, -lim, lim)


def conv_p(key, cin, cout):
    return {"W": uniform(key, (cout, cin, 4, 4), cin * 16), "b": jnp.zeros((cout,), jnp.float32)}


def lin_p(key, i, o):
    return {"W": uniform(key, (i, o), i), "b": jnp.zeros((o,), jnp.float32)}


def down(p, x):  # 4×4, stride 2, padding 1: H → H/2
    return lax.conv_general_dilated(x, p["W"], (2, 2), ((1, 1), (1, 1)), dimension_numbers=DN) + p["b"][None, :, None, None]


def up(p, x):  # transposed 4×4, stride 2, padding 1: H → 2H
    return lax.conv_general_dilated(x, p["W"], (1, 1), ((2, 2), (2, 2)), lhs_dilation=(2, 2), dimension_numbers=DN) + p["b"][None, :, None, None]


def dense(p, x):
    return x @ p["W"] + p["b"]


def bce(logits, x):
    return jnp.sum(optax.sigmoid_binary_cross_entropy(logits, x)) / x.shape[0]


relu = jax.nn.relu


def conv_ae_init(key):
    k = jax.random.split(key, 6)
    return {"c1": conv_p(k[0], 1, 16), "c2": conv_p(k[1], 16, 32), "fc": lin_p(k[2], 32 * 49, 32), "d1": lin_p(k[3], 32, 32 * 49), "t1": conv_p(k[4], 32, 16), "t2": conv_p(k[5], 16, 1)}


def conv_ae_loss(p, x, key):
    h = relu(down(p["c2"], relu(down(p["c1"], x))))
    z = dense(p["fc"], h.reshape(x.shape[0], -1))
    y = up(p["t2"], relu(up(p["t1"], relu(dense(p["d1"], z)).reshape(-1, 32, 7, 7))))
    return bce(y, x)


def chairs_init(key):
    k = jax.random.split(key, 14)
    enc = [conv_p(k[i], a, b) for i, (a, b) in enumerate([(1, 32), (32, 32), (32, 64), (64, 64)])]
    dec = [conv_p(k[4 + i], a, b) for i, (a, b) in enumerate([(64, 64), (64, 32), (32, 32), (32, 1)])]
    return {"enc": enc, "dec": dec, "fc": lin_p(k[8], 1024, 256), "mu": lin_p(k[9], 256, 32), "lv": lin_p(k[10], 256, 32), "d1": lin_p(k[11], 32, 256), "d2": lin_p(k[12], 256, 1024)}


def chairs_loss(p, x, key):
    h = x
    for c in p["enc"]:
        h = relu(down(c, h))
    h = relu(dense(p["fc"], h.reshape(x.shape[0], -1)))
    mu, lv = dense(p["mu"], h), dense(p["lv"], h)
    z = mu + jnp.exp(0.5 * lv) * jax.random.normal(key, mu.shape, jnp.float32)
    y = relu(dense(p["d2"], relu(dense(p["d1"], z)))).reshape(-1, 64, 4, 4)
    for i, c in enumerate(p["dec"]):
        y = up(c, y)
        if i < len(p["dec"]) - 1:
            y = relu(y)
    return bce(y, x) + 0.5 * jnp.sum(mu * mu + jnp.exp(lv) - 1 - lv) / x.shape[0]


init, loss, side = {"conv_ae": (conv_ae_init, conv_ae_loss, 28), "chairs_vae": (chairs_init, chairs_loss, 64)}[model_name]
key, pk, dk = jax.random.split(jax.random.PRNGKey(0), 3)
params = init(pk)
tx = optax.adam(1e-3)
data = jax.random.uniform(dk, (8, batch, 1, side, side), jnp.float32)

first, rates = time_steps(adam_steps(loss, params, tx, data, key), 3, reps, steps)
report(rates, pool_threads(), compile_s=compile_s(first, rates), version=version(), blas="XLA:CPU (its own dot and convolution kernels, no BLAS)", isa=isa())
