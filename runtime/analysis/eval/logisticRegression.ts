// Multinomial logistic regression as an Hourglass model: the probe of the evaluation is compiled
// and trained by the same compiler and optimizers as any autoencoder. The label rides in the
// input as C one-hot columns after the F features (a model has one data input), sliced apart in
// the graph; encode gives the logits (label columns ignored), decode is the identity.
import * as E from 'fp-ts/Either';
import type { Val } from '../../../compiler/ir/val';
import type { CompileError } from '../../../compiler/ir/types';
import type { BuildCtx, ModelDef } from '../../../compiler/model';

type R = E.Either<CompileError, Val>;

const logits = (ctx: BuildCtx, x: Val, features: number, classes: number): R => {
  const g = ctx.g;
  const path = 'probe.linear';
  const feats = g.op('slice', [x], { axis: 1, start: 0, end: features }, path);
  const W = ctx.param('probe.W', [features, classes], { kind: 'constant', value: 0 });
  const b = ctx.param('probe.b', [classes], { kind: 'constant', value: 0 });
  if (E.isLeft(feats)) return feats;
  if (E.isLeft(W)) return W;
  if (E.isLeft(b)) return b;
  return E.chain((h: Val) => g.op('add', [h, b.right], {}, path))(g.op('matmul', [feats.right, W.right], {}, path));
};

/**
 * Mean cross-entropy, plus λ‖W‖² where l2 = λ > 0. log Σ_c exp(l_c) − Σ_c y_c l_c. Without a max-shift the log-sum-exp is
 * exact only while the logits stay below the float type's exp range: the probe compiles in f64
 * (exp overflows past 709) and its inputs are standardised.
 */
export const logisticRegression = (features: number, classes: number, l2 = 0): ModelDef => ({
  name: 'linear_probe',
  inputShape: [features + classes],
  codeShape: [classes],
  loss: (ctx, x) => {
    const g = ctx.g;
    const path = 'probe.crossEntropy';
    const l = logits(ctx, x, features, classes);
    if (E.isLeft(l)) return l;
    const y = g.op('slice', [x], { axis: 1, start: features, end: features + classes }, path);
    if (E.isLeft(y)) return y;
    const lse = g.must('log', [g.must('reduceSum', [g.must('exp', [l.right], {}, path)], { axes: [1], keepdims: false }, path)], {}, path);
    const picked = g.must('reduceSum', [g.must('mul', [y.right, l.right], {}, path)], { axes: [1], keepdims: false }, path);
    const ce = g.must('reduceMean', [g.must('sub', [lse, picked], {}, path)], { axes: [0], keepdims: false }, path);
    const terms = [{ name: 'crossEntropy', value: ce, weight: 1 }];
    if (l2 === 0) return E.right(terms);
    // λ‖W‖² (biases free), on the scale of the mean cross-entropy: scikit-learn's C = 1 / (2 λ n).
    const W = ctx.param('probe.W', [features, classes], { kind: 'constant', value: 0 });
    if (E.isLeft(W)) return W;
    const sq = g.must('reduceSum', [g.must('mul', [W.right, W.right], {}, path)], { axes: [0, 1], keepdims: false }, 'probe.l2');
    return E.right([...terms, { name: 'l2', value: sq, weight: l2 }]);
  },
  encode: (ctx, x) => logits(ctx, x, features, classes),
  decode: (ctx, z) => ctx.g.op('mul', [z, ctx.g.scalar(1)], {}, 'probe.identity'),
});
