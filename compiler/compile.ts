// Model + optimizer -> ONNX artifacts and a manifest. Pure: same inputs, same bytes.
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { grad } from './autodiff/grad';
import type { Graph } from './ir/graph';
import type { Val } from './ir/val';
import { compileError, sameShape, showShape, type CompileError, type Dim, type FloatDType } from './ir/types';
import type { ArtifactSpec, IOSpec, Manifest, StateSpec } from './manifest';
import { MANIFEST_FORMAT } from './manifest';
import { newCtx, type BuildCtx, type ModelDef, type Progress, type Term } from './model';
import { liveValues, type LiveValue } from './memory';
import { liveNodes, lowerToBytes, lowerToModel, serialise, type NamedVal } from './onnx/lower';
import { multiStepModel, perStepName, stackedName } from './onnx/multiStep';
import { attachOptimizer, resolveOptimizer, stepOutputs } from './optim/attach';
import type { OptimizerSpec } from './optim/optimizer';

const MULTI_STEP_FILE = 'train_steps.onnx';

export interface CompileOptions {
  readonly optimizer: OptimizerSpec;
  readonly dtype?: FloatDType;
  /**
   * The epoch to build the training graph for, where a combinator follows a schedule (k-annealing).
   * The trainer recompiles per epoch when `manifest.scheduled` is non-empty; forward graphs never depend on it.
   */
  readonly progress?: Progress;
}

export interface Artifacts {
  readonly manifest: Manifest;
  /** File name -> bytes (the manifest is not among them; write it as JSON). */
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** [m, k, n] of every matrix product the train step computes ('B' = batch), for FLOP counts. */
  readonly matmuls: readonly (readonly [Dim, Dim, Dim])[];
  /** The train step's computed values and their live intervals (for the runtime's memory estimate). */
  readonly values: readonly LiveValue[];
  /** The same for the evaluation graph (the loss terms alone), which the held-out set runs through. */
  readonly evalValues: readonly LiveValue[];
}

const ioSpecs = (g: Graph, names: readonly string[]): IOSpec[] =>
  names.map((name) => {
    const i = g.findInput(name)!;
    const t = g.node(i.id).type;
    return { name, shape: t.shape, dtype: t.dtype, role: i.role };
  });

const outSpecs = (outs: readonly NamedVal[]): IOSpec[] =>
  outs.map((o) => ({ name: o.name, shape: o.val.type.shape, dtype: o.val.type.dtype, role: 'output' }));

/** Names a term cannot take: the total's own, and anything an object's prototype answers to. */
const RESERVED_TERMS = new Set(['loss', '__proto__', 'constructor', 'prototype']);

/** Σ weight · value over the terms, after checking each is a finite, non-negative-weighted scalar. */
const totalLoss = (g: Graph, model: string, terms: readonly Term[]): E.Either<CompileError, Val> => {
  if (terms.length === 0) return E.left(compileError(`${model}.loss`, 'the objective has no terms'));
  const names = new Set<string>();
  let total: Val | null = null;
  for (const t of terms) {
    const path = `${model}.loss.${t.name}`;
    if (names.has(t.name)) return E.left(compileError(path, `two terms are named ${t.name}`));
    if (RESERVED_TERMS.has(t.name) || t.name in Object.prototype)
      return E.left(compileError(path, `${JSON.stringify(t.name)} is a reserved name (the total is "loss"; object prototype names are not allowed); rename the term`));
    names.add(t.name);
    if (!(Number.isFinite(t.weight) && t.weight >= 0)) return E.left(compileError(path, `weight must be a finite number ≥ 0, got ${t.weight}`));
    if (t.value.type.shape.length !== 0) return E.left(compileError(path, `a loss term must be a scalar, got [${t.value.type.shape.join(', ')}]`));
    const weighted = t.weight === 1 ? t.value : g.must('mul', [t.value, g.scalar(t.weight)], {}, path);
    total = total ? g.must('add', [total, weighted], {}, `${model}.loss`) : weighted;
  }
  return E.right(total!);
};

/** A parameter or noise input took a name the compiler gives its own inputs or outputs. */
const reserved = (path: string, name: string): E.Either<CompileError, never> =>
  E.left(compileError(path, `${name} is a name the compiler gives an optimizer input or a graph output; rename the parameter, noise or term that uses it`));

const hashGraph = (g: Graph, extra: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify({ nodes: g.nodes.map((n) => [n.tag, n.inputs, n.attrs, n.type]), extra }))
    .digest('hex');

interface ForwardGraph {
  readonly name: string;
  readonly build: (ctx: BuildCtx) => E.Either<CompileError, { outputs: NamedVal[] }>;
}

const forwardGraphs = (model: ModelDef): ForwardGraph[] => [
  {
    name: 'encode',
    build: (ctx) =>
      pipe(
        ctx.g.input('x', ['B', ...model.inputShape], 'data'),
        E.chain((x) =>
          pipe(
            model.encode(ctx, x),
            E.chain((code) =>
              model.encodeExtra
                ? E.map((extra: readonly NamedVal[]) => ({ outputs: [{ name: 'code', val: code }, ...extra] }))(model.encodeExtra(ctx, x))
                : E.right({ outputs: [{ name: 'code', val: code }] }),
            ),
          ),
        ),
      ),
  },
  {
    name: 'decode',
    build: (ctx) =>
      pipe(
        ctx.g.input('code', ['B', ...model.codeShape], 'data'),
        E.chain((z) => model.decode(ctx, z)),
        E.map((xhat) => ({ outputs: [{ name: 'xhat', val: xhat }] })),
      ),
  },
  {
    name: 'reconstruct',
    build: (ctx) =>
      pipe(
        ctx.g.input('x', ['B', ...model.inputShape], 'data'),
        E.chain((x) => model.encode(ctx, x)),
        E.chain((z) => model.decode(ctx, z)),
        E.map((xhat) => ({ outputs: [{ name: 'xhat', val: xhat }] })),
      ),
  },
];

export const compileModel = (model: ModelDef, opts: CompileOptions): E.Either<CompileError, Artifacts> => {
  const dtype = opts.dtype ?? 'f32';
  const optE = resolveOptimizer(opts.optimizer, `${model.name}.optimizer`);
  if (E.isLeft(optE)) return optE;
  const { hyper } = optE.right;

  const ctx = newCtx(dtype, opts.progress);
  const g = ctx.g;
  const x = g.input('x', ['B', ...model.inputShape], 'data');
  if (E.isLeft(x)) return E.left(compileError(`${model.name}.input`, `the input shape [${model.inputShape.join(', ')}] must have positive integer sizes`));
  const termsE = model.loss(ctx, x.right);
  if (E.isLeft(termsE)) return termsE;
  const terms = termsE.right;
  const lossE = totalLoss(g, model.name, terms);
  if (E.isLeft(lossE)) return lossE;
  const loss = lossE.right;

  const params = [...ctx.params.values()];
  if (params.length === 0) return E.left(compileError(model.name, 'the model has no parameters to train'));
  const paramVals = params.map((p) => g.val(g.findInput(p.name)!.id));
  const gradsE = grad(g, loss, paramVals);
  if (E.isLeft(gradsE)) return gradsE;

  const kind = opts.optimizer.kind;
  const trained = params.map((p, i) => ({ name: p.name, shape: p.shape, val: paramVals[i], grad: gradsE.right[i] }));
  const attached = attachOptimizer(g, optE.right, trained, 'opt');
  if (E.isLeft(attached)) return reserved(model.name, attached.left.reserved);
  const { state } = attached.right;

  // Buffers the train step updates (running statistics) are carried like optimizer state;
  // the others pass through unchanged.
  const buffers = [...ctx.buffers.values()];
  const bufferNext = buffers.map((b) => ({ input: b.name, val: ctx.bufferUpdates.get(b.name) ?? g.val(g.findInput(b.name)!.id) }));
  const { outputs, carry } = stepOutputs(loss, terms, [...attached.right.next, ...bufferNext]);

  const clash = outputs.find((o) => g.findInput(o.name));
  if (clash) return reserved(model.name, clash.name);

  const lossOutputs = outputs.slice(0, terms.length + 1);
  const evalInputs = g.inputs.filter((i) => i.role !== 'state').map((i) => i.name);
  const trainInputs = g.inputs.map((i) => i.name);
  const trainModel = lowerToModel(g, outputs, { graphName: `${model.name}.train_step`, inputs: trainInputs });
  const stacked = g.inputs.filter((i) => i.role === 'data' || i.role === 'noise').map((i) => i.name);
  const perStep = lossOutputs.map((o) => o.name);
  const files: Record<string, Uint8Array> = {
    'train_step.onnx': serialise(trainModel),
    [MULTI_STEP_FILE]: serialise(multiStepModel(trainModel, { stacked, shared: ['opt.lr'], carry, perStep })),
  };
  files['evaluate.onnx'] = lowerToBytes(g, lossOutputs, { graphName: `${model.name}.evaluate`, inputs: evalInputs });
  const artifacts: Record<string, ArtifactSpec> = {
    train_step: { file: 'train_step.onnx', inputs: ioSpecs(g, trainInputs), outputs: outSpecs(outputs) },
    evaluate: { file: 'evaluate.onnx', inputs: ioSpecs(g, evalInputs), outputs: outSpecs(lossOutputs) },
  };

  for (const fg of forwardGraphs(model)) {
    const fctx = newCtx(dtype);
    const built = fg.build(fctx);
    if (E.isLeft(built)) return built;
    const unknown = [...fctx.params.keys(), ...fctx.buffers.keys()].filter((k) => !ctx.params.has(k) && !ctx.buffers.has(k));
    if (unknown.length) return E.left(compileError(`${model.name}.${fg.name}`, `uses parameters the loss never trains: ${unknown.join(', ')}`));
    const reshaped = [...fctx.params.values()].find((p) => !sameShape(p.shape, ctx.params.get(p.name)!.shape));
    if (reshaped)
      return E.left(compileError(`${model.name}.${fg.name}`, `parameter ${reshaped.name} is declared as ${showShape(reshaped.shape)} here but as ${showShape(ctx.params.get(reshaped.name)!.shape)} in the loss`));
    const fclash = built.right.outputs.find((o) => fctx.g.findInput(o.name));
    if (fclash) return reserved(`${model.name}.${fg.name}`, fclash.name);
    const inputs = fctx.g.inputs.map((i) => i.name);
    files[`${fg.name}.onnx`] = lowerToBytes(fctx.g, built.right.outputs, { graphName: `${model.name}.${fg.name}`, inputs });
    artifacts[fg.name] = { file: `${fg.name}.onnx`, inputs: ioSpecs(fctx.g, inputs), outputs: outSpecs(built.right.outputs) };
  }

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    model: model.name,
    ...(model.specParams ? { specParams: model.specParams } : {}),
    dtype,
    scheduled: Object.fromEntries(ctx.scheduled),
    // The learning rate is a graph input, not part of the graph: a resume may lower it.
    specHash: hashGraph(g, { kind, hyper }),
    inputShape: model.inputShape,
    codeShape: model.codeShape,
    ...(model.dataRange ? { dataRange: model.dataRange } : {}),
    params: [...params, ...buffers],
    noise: [...ctx.noises.values()],
    optimizer: { kind, lr: opts.optimizer.lr, hyper, state, lrInput: 'opt.lr' },
    terms: terms.map((tm) => ({ name: tm.name, weight: tm.weight, output: `term.${tm.name}` })),
    lossOutput: 'loss',
    carry,
    artifacts,
    multiStep: {
      file: MULTI_STEP_FILE,
      stacked: stacked.map((input) => ({ input, name: stackedName(input) })),
      perStep: perStep.map((output) => ({ output, name: perStepName(output) })),
    },
  };
  const live = liveNodes(g, outputs.map((o) => o.val));
  const matmuls = g.nodes
    .filter((n) => n.tag === 'matmul' && live.has(n.id))
    .map((n) => {
      const [a, b] = n.inputs.map((i) => g.node(i).type.shape);
      return [a[0], a[1], b[1]] as const;
    });
  return E.right({ manifest, files, matmuls, values: liveValues(g, outputs.map((o) => o.val)), evalValues: liveValues(g, lossOutputs.map((o) => o.val)) });
};
