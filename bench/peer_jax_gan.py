"""JAX peer for the DCGAN row of `npm run bench`: the same generator and discriminator as
peer_torch_gan.py written with jax.lax convolutions and batch norm on the batch's statistics
(training mode; the running averages, which no step reads, are left out), Adam lr 2e-4, β1 0.5
(optax); one round = one jitted discriminator step and one jitted generator step, each
differentiating its own player only, parameters and state donated.

Prints one JSON object like peer_jax.py's (steps_per_s are rounds/s).
Usage: peer_jax_gan.py dcgan BATCH ROUNDS REPS THREADS (THREADS reported, not set)
"""
import json, math, os, resource, sys, time

import jax
import jax.numpy as jnp
import optax
from jax import lax

from peer_timing import compile_s, report, time_steps
from peer_xla import isa, pool_threads, version

_, batch, rounds, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
B, Z = 32, 100
DN = ("NCHW", "OIHW", "NCHW")


def u(key, shape, fan_in):
    return jax.random.uniform(key, shape, jnp.float32, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))


def conv(p, x):  # 4×4 stride 2 padding 1
    y = lax.conv_general_dilated(x, p["W"], (2, 2), ((1, 1), (1, 1)), dimension_numbers=DN)
    return y + p["b"][None, :, None, None] if "b" in p else y


def convt(p, x):  # transposed 4×4 stride 2 padding 1
    y = lax.conv_general_dilated(x, p["W"], (1, 1), ((2, 2), (2, 2)), lhs_dilation=(2, 2), dimension_numbers=DN)
    return y + p["b"][None, :, None, None] if "b" in p else y


def bn(p, x):
    mean = jnp.mean(x, axis=(0, 2, 3), keepdims=True)
    var = jnp.var(x, axis=(0, 2, 3), keepdims=True)
    return (x - mean) * lax.rsqrt(var + 1e-5) * p["g"][None, :, None, None] + p["b"][None, :, None, None]


def bn_p(c):
    return {"g": jnp.ones((c,), jnp.float32), "b": jnp.zeros((c,), jnp.float32)}


def g_init(key):
    k = jax.random.split(key, 5)
    chans = [(8 * B, 4 * B), (4 * B, 2 * B), (2 * B, B)]
    return {
        "fc": u(k[0], (Z, 8 * B * 16), Z), "bn0": bn_p(8 * B),
        "up": [{"c": {"W": u(k[1 + i], (b, a, 4, 4), a * 16)}, "bn": bn_p(b)} for i, (a, b) in enumerate(chans)],
        "out": {"W": u(k[4], (1, B, 4, 4), B * 16), "b": jnp.zeros((1,), jnp.float32)},
    }


def g_apply(p, z):
    h = jax.nn.relu(bn(p["bn0"], (z @ p["fc"]).reshape(-1, 8 * B, 4, 4)))
    for l in p["up"]:
        h = jax.nn.relu(bn(l["bn"], convt(l["c"], h)))
    return jnp.tanh(convt(p["out"], h))


def d_init(key):
    k = jax.random.split(key, 5)
    chans = [(B, 2 * B), (2 * B, 4 * B), (4 * B, 8 * B)]
    return {
        "in": {"W": u(k[0], (B, 1, 4, 4), 16), "b": jnp.zeros((B,), jnp.float32)},
        "down": [{"c": {"W": u(k[1 + i], (b, a, 4, 4), a * 16)}, "bn": bn_p(b)} for i, (a, b) in enumerate(chans)],
        "fc": {"W": u(k[4], (8 * B * 16, 1), 8 * B * 16), "b": jnp.zeros((1,), jnp.float32)},
    }


def d_apply(p, x):
    h = jax.nn.leaky_relu(conv(p["in"], x), 0.2)
    for l in p["down"]:
        h = jax.nn.leaky_relu(bn(l["bn"], conv(l["c"], h)), 0.2)
    return h.reshape(x.shape[0], -1) @ p["fc"]["W"] + p["fc"]["b"]


key, gk, dk, xk = jax.random.split(jax.random.PRNGKey(0), 4)
gp, dp = g_init(gk), d_init(dk)
tx = optax.adam(2e-4, b1=0.5)
gs, ds = tx.init(gp), tx.init(dp)
data = jax.random.uniform(xk, (8, batch, 1, 64, 64), jnp.float32)


@jax.jit(donate_argnums=(0, 1))
def d_step(dp, ds, gp, x, key):
    key, sub = jax.random.split(key)
    fake = g_apply(gp, jax.random.normal(sub, (x.shape[0], Z), jnp.float32))

    def loss(dp):
        return jnp.mean(jax.nn.softplus(-d_apply(dp, x * 2 - 1))) + jnp.mean(jax.nn.softplus(d_apply(dp, fake)))

    l, gr = jax.value_and_grad(loss)(dp)
    up, ds = tx.update(gr, ds, dp)
    return optax.apply_updates(dp, up), ds, key, l


@jax.jit(donate_argnums=(0, 1))
def g_step(gp, gs, dp, key):
    key, sub = jax.random.split(key)
    z = jax.random.normal(sub, (batch, Z), jnp.float32)
    l, gr = jax.value_and_grad(lambda gp: jnp.mean(jax.nn.softplus(-d_apply(dp, g_apply(gp, z)))))(gp)
    up, gs = tx.update(gr, gs, gp)
    return optax.apply_updates(gp, up), gs, key, l


def run(n, gp, gs, dp, ds, key):
    for i in range(n):
        dp, ds, key, _ = d_step(dp, ds, gp, data[i % 8], key)
        gp, gs, key, l = g_step(gp, gs, dp, key)
    jax.block_until_ready(l)
    return gp, gs, dp, ds, key


state_ = [gp, gs, dp, ds, key]


def steps_from(start, n):
    state_[:] = run(n, *state_)


first, rates = time_steps(steps_from, 1, reps, rounds)
report(rates, pool_threads(), compile_s=compile_s(first, rates), version=version(), blas="XLA:CPU (its own dot and convolution kernels, no BLAS)", isa=isa())
