// Graphs that evaluation needs beside the training artifacts: the posterior's μ and log σ² (for
// IWAE and posterior samples) and the decoder's raw output (logits for Bernoulli), so
// log-likelihoods are computed from logits rather than from a saturated sigmoid. Parameters stay
// graph inputs with the training names, fed from a run's checkpoint.
import * as E from 'fp-ts/Either';
import { compileError, type CompileError, type FloatDType } from './ir/types';
import { newCtx, type LikelihoodKind, type ModelDef } from './model';
import { lowerToBytes } from './onnx/lower';

export interface EvalGraphs {
  /** x → mean, logVar; absent when the code is not a Gaussian. */
  readonly posterior?: Uint8Array;
  /** code → out (the decoder's raw output, as the likelihood takes it). */
  readonly decoderOutput?: Uint8Array;
  readonly likelihood?: LikelihoodKind;
  /** Parameter names each graph takes, in order. */
  readonly params: { readonly posterior: readonly string[]; readonly decoderOutput: readonly string[] };
}

export const compileEvalGraphs = (model: ModelDef, dtype: FloatDType = 'f32'): E.Either<CompileError, EvalGraphs> => {
  const params = { posterior: [] as string[], decoderOutput: [] as string[] };
  let posterior: Uint8Array | undefined;
  let decoderOutput: Uint8Array | undefined;
  if (model.posterior) {
    const ctx = newCtx(dtype);
    const x = ctx.g.input('x', ['B', ...model.inputShape], 'data');
    if (E.isLeft(x)) return x;
    const q = model.posterior(ctx, x.right);
    if (E.isRight(q)) {
      const inputs = ctx.g.inputs.map((i) => i.name);
      posterior = lowerToBytes(ctx.g, [{ name: 'mean', val: q.right.mean }, { name: 'logVar', val: q.right.logVar }], { graphName: `${model.name}.posterior`, inputs });
      params.posterior = [...ctx.params.keys()];
    }
  }
  if (model.decodeOutput) {
    if (model.codeShape.length === 0) return E.left(compileError(`${model.name}.decoder`, 'the code shape is unknown (build the loss first)'));
    const ctx = newCtx(dtype);
    const z = ctx.g.input('code', ['B', ...model.codeShape], 'data');
    if (E.isLeft(z)) return z;
    const out = model.decodeOutput(ctx, z.right);
    if (E.isLeft(out)) return out;
    const inputs = ctx.g.inputs.map((i) => i.name);
    decoderOutput = lowerToBytes(ctx.g, [{ name: 'out', val: out.right }], { graphName: `${model.name}.decoder_output`, inputs });
    params.decoderOutput = [...ctx.params.keys()];
  }
  return E.right({ posterior, decoderOutput, likelihood: model.likelihood, params });
};
