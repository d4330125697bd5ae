// The four update rules of the lecture's papers, written as their textbook formulas.
import { algebra, type OptimizerDef, type OptimizerKind } from './optimizer';

const inUnit = (x: number) => x >= 0 && x < 1;
/** ε must survive as a nonzero f32 (an f32 graph stores it so, and ONNX Runtime drops an Add of a
 *  constant that rounds to 0f even in f64), or a zero second moment divides 0 by 0. */
const epsProblem = (eps: number) => (Math.fround(eps) > 0 ? null : `eps must be positive (at least 1.4e-45, the smallest f32), got ${eps}`);

/** SGD with (heavy-ball) momentum, PyTorch's form: v = μ v + g; θ = θ − lr v. */
const sgd: OptimizerDef = {
  defaults: { momentum: 0 },
  slots: [{ name: 'velocity', init: 0 }],
  check: (h) => (inUnit(h.momentum) ? null : `momentum must be in [0, 1), got ${h.momentum}`),
  update: (g, { param, grad, slots, lr }, h) => {
    const a = algebra(g);
    const v = a.add(a.mul(slots.velocity, h.momentum), grad);
    return { param: a.sub(param, a.mul(lr, v)), slots: { velocity: v } };
  },
};

/**
 * Adam with bias correction (Kingma & Ba 2015, Algorithm 1), in the paper's own faster order
 * (end of its section 2): the corrections fold into scalars, α_t = lr·√(1 − β2^t)/(1 − β1^t) and
 * ε̂ = ε·√(1 − β2^t), and θ −= α_t·m/(√v + ε̂) — the same value as the textbook lines, with 12
 * passes over each parameter-sized tensor instead of 14 (the two m̂, v̂ divisions go).
 */
const adam: OptimizerDef = {
  defaults: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  slots: [
    { name: 'm', init: 0 },
    { name: 'v', init: 0 },
  ],
  check: (h) =>
    !inUnit(h.beta1) ? `beta1 must be in [0, 1), got ${h.beta1}` : !inUnit(h.beta2) ? `beta2 must be in [0, 1), got ${h.beta2}` : epsProblem(h.eps),
  update: (g, { param, grad, slots, lr, t }, h) => {
    const a = algebra(g);
    const m = a.add(a.mul(slots.m, h.beta1), a.mul(grad, 1 - h.beta1));
    const v = a.add(a.mul(slots.v, h.beta2), a.mul(a.sq(grad), 1 - h.beta2));
    const root2 = a.sqrt(a.sub(1, a.powT(h.beta2, t)));
    const alpha = a.div(a.mul(lr, root2), a.sub(1, a.powT(h.beta1, t)));
    const epsHat = a.mul(root2, h.eps);
    const step = a.div(a.mul(m, alpha), a.add(a.sqrt(v), epsHat));
    return { param: a.sub(param, step), slots: { m, v } };
  },
};

/**
 * Adagrad (Duchi et al. 2011): s = s + g²; θ = θ − lr g / (√(s₀ + s) + ε). s₀ is TensorFlow's
 * initial_accumulator_value (0.1 there, 0 in PyTorch and here by default): with s₀ = 0 the first
 * step moves every weight by ±lr whatever its gradient, which blows up wide layers (the 1200-unit
 * shapes β-VAE at lr 1e-2 overflows exp(log σ²) at step 2).
 */
const adagrad: OptimizerDef = {
  defaults: { eps: 1e-10, initialAccumulator: 0 },
  slots: [{ name: 'sum', init: 0 }],
  check: (h) => (h.initialAccumulator >= 0 ? epsProblem(h.eps) : `initialAccumulator must be at least 0, got ${h.initialAccumulator}`),
  update: (g, { param, grad, slots, lr }, h) => {
    const a = algebra(g);
    const s = a.add(slots.sum, a.sq(grad));
    // The default graph is unchanged: the Add appears only for a positive s₀.
    const root = a.sqrt(h.initialAccumulator > 0 ? a.add(s, h.initialAccumulator) : s);
    return { param: a.sub(param, a.div(a.mul(lr, grad), a.add(root, h.eps))), slots: { sum: s } };
  },
};

/** RMSprop (Tieleman & Hinton 2012): s = ρ s + (1 − ρ) g²; θ = θ − lr g / (√s + ε). */
const rmsprop: OptimizerDef = {
  defaults: { rho: 0.99, eps: 1e-8 },
  slots: [{ name: 'sq', init: 0 }],
  check: (h) => (inUnit(h.rho) ? epsProblem(h.eps) : `rho must be in [0, 1), got ${h.rho}`),
  update: (g, { param, grad, slots, lr }, h) => {
    const a = algebra(g);
    const s = a.add(a.mul(slots.sq, h.rho), a.mul(a.sq(grad), 1 - h.rho));
    return { param: a.sub(param, a.div(a.mul(lr, grad), a.add(a.sqrt(s), h.eps))), slots: { sq: s } };
  },
};

export const OPTIMIZERS: { readonly [K in OptimizerKind]: OptimizerDef } = { sgd, adam, adagrad, rmsprop };
