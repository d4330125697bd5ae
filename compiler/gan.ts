// Two players, two step graphs: a GAN (Goodfellow et al. 2014) compiled as a discriminator step and
// a generator step, each differentiating its own loss with respect to its own parameters only and
// updating them with its own optimizer; the other player's parameters are plain inputs. The
// generator uses the non-saturating loss −log D(G(z)). A `generate` graph maps codes to images.
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { grad } from './autodiff/grad';
import type { Graph } from './ir/graph';
import type { Val } from './ir/val';
import { compileError, type CompileError, type Dim, type FloatDType } from './ir/types';
import type { ArtifactSpec, IOSpec, StateSpec } from './manifest';
import { newCtx, type BuildCtx, type ParamSpec } from './model';
import type onnxProto from 'onnx-proto';
import { lowerToBytes, lowerToModel, serialise } from './onnx/lower';
import { ganRoundsModel, roundPerStepName, roundStackedName } from './onnx/rounds';
import { attachOptimizer, resolveOptimizer, stepOutputs } from './optim/attach';
import type { OptimizerSpec } from './optim/optimizer';

export type Player = 'generator' | 'discriminator';
export const PLAYERS: readonly Player[] = ['discriminator', 'generator'];

export interface GanDef {
  readonly name: string;
  /** Per-example data shape, e.g. [1, 64, 64]; data in [0, 1] (the step graphs map it to [−1, 1]). */
  readonly inputShape: readonly number[];
  readonly latent: number;
  /** G(z): images in [−1, 1] (a tanh output), under the scope `generator`. */
  readonly generate: (ctx: BuildCtx, z: Val, mode: 'train' | 'eval') => E.Either<CompileError, Val>;
  /** D(x): one logit per example [B, 1], under the scope `discriminator`. */
  readonly discriminate: (ctx: BuildCtx, x: Val, mode: 'train' | 'eval') => E.Either<CompileError, Val>;
}

export const GAN_MANIFEST_FORMAT = 'hourglass-gan-manifest/1';

export interface PlayerStep {
  readonly file: string;
  readonly optimizer: { readonly kind: string; readonly lr: number; readonly hyper: Readonly<Record<string, number>>; readonly state: readonly StateSpec[]; readonly lrInput: string };
  readonly terms: readonly { readonly name: string; readonly output: string }[];
  readonly lossOutput: string;
  readonly carry: readonly { readonly output: string; readonly input: string }[];
  readonly inputs: readonly IOSpec[];
  /** Whether the step reads a data batch `x` (the discriminator's does). */
  readonly data: boolean;
}

export interface GanManifest {
  readonly format: typeof GAN_MANIFEST_FORMAT;
  readonly model: string;
  readonly dtype: FloatDType;
  readonly specHash: string;
  readonly inputShape: readonly number[];
  readonly latent: number;
  /** Both players' parameters and buffers; each name starts with its player. */
  readonly params: readonly (ParamSpec & { readonly player: Player })[];
  /** The code noise, `noise.z` [B, latent], drawn fresh for every step. */
  readonly noise: { readonly name: string; readonly shape: readonly number[] };
  readonly steps: Readonly<Record<Player, PlayerStep>>;
  readonly generate: ArtifactSpec;
  /**
   * Rounds in one call (an ONNX Loop): each round k discriminator steps, then one generator step.
   * Stacked inputs are fed as [R, k, B, ...] (discriminator) and [R, B, ...] (generator); per-step
   * outputs come back as [R, k] and [R]; the carried outputs keep the steps' names.
   */
  readonly rounds?: {
    readonly file: string;
    readonly stacked: readonly { readonly step: Player; readonly input: string; readonly name: string }[];
    readonly perStep: readonly { readonly step: Player; readonly output: string; readonly name: string }[];
  };
}

export interface GanArtifacts {
  readonly manifest: GanManifest;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export interface GanCompileOptions {
  readonly generator: OptimizerSpec;
  readonly discriminator: OptimizerSpec;
  readonly dtype?: FloatDType;
}

const playerOf = (name: string): Player | null => (name.startsWith('generator.') ? 'generator' : name.startsWith('discriminator.') ? 'discriminator' : null);

/** mean over the batch of softplus(±logit): −log σ(∓logit). */
const meanSoftplus = (g: Graph, logits: Val, sign: 1 | -1, path: string): Val => {
  const l = sign === 1 ? logits : g.must('neg', [logits], {}, path);
  const sp = g.must('softplus', [l], {}, path);
  return g.must('reduceMean', [sp], { axes: [0, 1], keepdims: false }, path);
};

const checkLogits = (name: string, v: Val): E.Either<CompileError, Val> =>
  v.type.shape.length === 2 && v.type.shape[1] === 1
    ? E.right(v)
    : E.left(compileError(`${name}.discriminator`, `must give one logit per example [1], got [${v.type.shape.slice(1).join(', ')}]`));

/** 2x − 1: data in [0, 1] to the generator's tanh range. */
const toTanhRange = (g: Graph, x: Val): Val => g.must('sub', [g.must('mul', [x, g.scalar(2)], {}, 'data'), g.scalar(1)], {}, 'data');

interface Built {
  readonly ctx: BuildCtx;
  readonly terms: readonly { name: string; value: Val }[];
}

const buildLosses = (def: GanDef, player: Player, dtype: FloatDType): E.Either<CompileError, Built> => {
  const ctx = newCtx(dtype);
  const g = ctx.g;
  const z = ctx.noise('z', [def.latent]);
  if (E.isLeft(z)) return z;
  const fake = def.generate(ctx, z.right, 'train');
  if (E.isLeft(fake)) return fake;
  const want: Dim[] = ['B', ...def.inputShape];
  if (fake.right.type.shape.length !== want.length || fake.right.type.shape.some((d, i) => d !== want[i]))
    return E.left(compileError(`${def.name}.generator`, `expected [${def.inputShape.join(', ')}] (the data's shape), got [${fake.right.type.shape.slice(1).join(', ')}]`));
  const dFake = E.chain((l: Val) => checkLogits(def.name, l))(def.discriminate(ctx, fake.right, 'train'));
  if (E.isLeft(dFake)) return dFake;
  if (player === 'generator') return E.right({ ctx, terms: [{ name: 'nonSaturating', value: meanSoftplus(g, dFake.right, -1, `${def.name}.loss`) }] });
  const x = g.input('x', want, 'data');
  if (E.isLeft(x)) return x;
  const dReal = E.chain((l: Val) => checkLogits(def.name, l))(def.discriminate(ctx, toTanhRange(g, x.right), 'train'));
  if (E.isLeft(dReal)) return dReal;
  return E.right({
    ctx,
    terms: [
      { name: 'real', value: meanSoftplus(g, dReal.right, -1, `${def.name}.loss`) },
      { name: 'fake', value: meanSoftplus(g, dFake.right, 1, `${def.name}.loss`) },
    ],
  });
};

const ioSpecs = (g: Graph, names: readonly string[]): IOSpec[] =>
  names.map((name) => {
    const i = g.findInput(name)!;
    const t = g.node(i.id).type;
    return { name, shape: t.shape, dtype: t.dtype, role: i.role };
  });

interface CompiledStep {
  readonly step: PlayerStep;
  readonly model: onnxProto.onnx.ModelProto;
  readonly hash: string;
}

/** One player's step graph: its loss differentiated with respect to its own parameters, its optimizer attached. */
const compileStep = (def: GanDef, player: Player, spec: OptimizerSpec, dtype: FloatDType, params: Map<string, ParamSpec & { player: Player }>): E.Either<CompileError, CompiledStep> => {
  const opt = resolveOptimizer(spec, `${def.name}.${player}.optimizer`);
  if (E.isLeft(opt)) return opt;
  const built = buildLosses(def, player, dtype);
  if (E.isLeft(built)) return built;
  const { ctx, terms } = built.right;
  const g = ctx.g;
  for (const p of [...ctx.params.values(), ...ctx.buffers.values()]) {
    const owner = playerOf(p.name);
    if (!owner) return E.left(compileError(p.name, 'every parameter must belong to the generator or the discriminator scope'));
    params.set(p.name, { ...p, player: owner });
  }
  const mine = [...ctx.params.values()].filter((p) => playerOf(p.name) === player);
  if (mine.length === 0) return E.left(compileError(`${def.name}.${player}`, 'has no parameters to train'));
  const loss = terms.length === 1 ? terms[0].value : g.must('add', [terms[0].value, terms[1].value], {}, `${def.name}.loss`);
  const paramVals = mine.map((p) => g.val(g.findInput(p.name)!.id));
  const grads = grad(g, loss, paramVals);
  if (E.isLeft(grads)) return grads;

  const trained = mine.map((p, i) => ({ name: p.name, shape: p.shape, val: paramVals[i], grad: grads.right[i] }));
  const prefix = `opt.${player}`;
  const attached = attachOptimizer(g, opt.right, trained, prefix);
  if (E.isLeft(attached)) {
    const name = attached.left.reserved;
    return E.left(compileError(def.name, `${name === `${prefix}.lr` || name === `${prefix}.t` ? prefix : name} is a name the compiler reserves`));
  }
  const { state, lrInput } = attached.right;
  // This player's running statistics move with its own step; the other's stay as they are.
  const buffers = [...ctx.bufferUpdates].filter(([name]) => playerOf(name) === player).map(([input, val]) => ({ input, val }));
  const { outputs, carry } = stepOutputs(loss, terms, [...attached.right.next, ...buffers]);

  const inputs = g.inputs.map((i) => i.name);
  const model = lowerToModel(g, outputs, { graphName: `${def.name}.${player}_step`, inputs });
  const step: PlayerStep = {
    file: `${player}_step.onnx`,
    optimizer: { kind: spec.kind, lr: spec.lr, hyper: opt.right.hyper, state, lrInput },
    terms: terms.map((tm) => ({ name: tm.name, output: `term.${tm.name}` })),
    lossOutput: 'loss',
    carry,
    inputs: ioSpecs(g, inputs),
    data: player === 'discriminator',
  };
  const hash = createHash('sha256').update(JSON.stringify({ nodes: g.nodes.map((n) => [n.tag, n.inputs, n.attrs, n.type]), spec })).digest('hex');
  return E.right({ step, model, hash });
};

/** k discriminator steps and one generator step per Loop iteration (compiler/onnx/rounds.ts). */
const compileRounds = (def: GanDef, compiled: Readonly<Record<Player, CompiledStep>>): { file: Uint8Array; spec: NonNullable<GanManifest['rounds']> } => {
  const roundStep = (player: Player) => {
    const s = compiled[player].step;
    return { model: compiled[player].model, stacked: s.inputs.filter((i) => i.role === 'data' || i.role === 'noise').map((i) => i.name), carry: s.carry, perStep: [s.lossOutput, ...s.terms.map((t) => t.output)] };
  };
  const steps = { discriminator: roundStep('discriminator'), generator: roundStep('generator') };
  return {
    file: serialise(ganRoundsModel(def.name, steps.discriminator, steps.generator)),
    spec: {
      file: ROUNDS_FILE,
      stacked: PLAYERS.flatMap((p) => steps[p].stacked.map((input) => ({ step: p, input, name: roundStackedName(p, input) }))),
      perStep: PLAYERS.flatMap((p) => steps[p].perStep.map((output) => ({ step: p, output, name: roundPerStepName(p, output) }))),
    },
  };
};

export const ROUNDS_FILE = 'rounds.onnx';

export const compileGan = (def: GanDef, opts: GanCompileOptions): E.Either<CompileError, GanArtifacts> => {
  const dtype = opts.dtype ?? 'f32';
  if (!(Number.isInteger(def.latent) && def.latent > 0)) return E.left(compileError(`${def.name}.latent`, `must be a positive integer, got ${def.latent}`));
  const files: Record<string, Uint8Array> = {};
  const compiled = {} as Record<Player, CompiledStep>;
  const params = new Map<string, ParamSpec & { player: Player }>();
  for (const player of PLAYERS) {
    const c = compileStep(def, player, opts[player], dtype, params);
    if (E.isLeft(c)) return c;
    compiled[player] = c.right;
    files[c.right.step.file] = serialise(c.right.model);
  }
  const rounds = compileRounds(def, compiled);
  files[ROUNDS_FILE] = rounds.file;

  // generate: codes to images in [0, 1], with the generator's running statistics.
  const fctx = newCtx(dtype);
  const z = fctx.g.input('code', ['B', def.latent], 'data');
  if (E.isLeft(z)) return z;
  const img = def.generate(fctx, z.right, 'eval');
  if (E.isLeft(img)) return img;
  const g = fctx.g;
  const unit = g.must('mul', [g.must('add', [img.right, g.scalar(1)], {}, 'generate'), g.scalar(0.5)], {}, 'generate');
  const unknown = [...fctx.params.keys(), ...fctx.buffers.keys()].filter((k) => !params.has(k));
  if (unknown.length) return E.left(compileError(`${def.name}.generate`, `uses parameters the steps never train: ${unknown.join(', ')}`));
  const ginputs = g.inputs.map((i) => i.name);
  files['generate.onnx'] = lowerToBytes(g, [{ name: 'image', val: unit }], { graphName: `${def.name}.generate`, inputs: ginputs });
  const generate: ArtifactSpec = {
    file: 'generate.onnx',
    inputs: ioSpecs(g, ginputs),
    outputs: [{ name: 'image', shape: unit.type.shape, dtype: unit.type.dtype, role: 'output' }],
  };

  const manifest: GanManifest = {
    format: GAN_MANIFEST_FORMAT,
    model: def.name,
    dtype,
    specHash: createHash('sha256').update(PLAYERS.map((p) => compiled[p].hash).join('')).digest('hex'),
    inputShape: def.inputShape,
    latent: def.latent,
    params: [...params.values()],
    noise: { name: 'noise.z', shape: [def.latent] },
    steps: { discriminator: compiled.discriminator.step, generator: compiled.generator.step },
    generate,
    rounds: rounds.spec,
  };
  return E.right({ manifest, files });
};
