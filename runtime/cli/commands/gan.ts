// hourglass gan <spec.ts> --data <name|path> --out <run-dir>: adversarial training of a spec whose
// default export is gan({...}): k discriminator steps per generator step, checkpoints, --resume,
// and a grid of samples from fixed codes.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import * as E from 'fp-ts/Either';
import type { GanDef } from '../../../compiler/gan';
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import type { GanSettings } from '../../apps/gan/run';
import { PROVIDERS, type Provider } from '../../host/providers/request';
import { CliError, EXIT, positive, positiveInt, seed } from '../../core/failure';
import { asGan, importSpec, typeErrors, TYPESCRIPT_HINT } from '../../host/spec/loadSpec';
import { threadsFlag } from '../threadsFlag';
import { arg } from '../arg';

/** A spec whose default export is a GAN; type-checked first unless told not to. */
export const loadGanSpec = async (path: string, typecheck: boolean): Promise<E.Either<string, GanDef>> => {
  const file = resolve(path);
  if (!existsSync(file)) return E.left(`${path}: no such file`);
  if (typecheck) {
    const errors = typeErrors(file);
    if (errors === null) console.error(`hourglass: note: ${TYPESCRIPT_HINT}`);
    else if (errors.length) return E.left(`${path}: does not type-check (${errors.length} error${errors.length > 1 ? 's' : ''}); first: ${errors[0]}`);
  }
  let mod: { default?: unknown };
  try {
    mod = (await importSpec(file)) as { default?: unknown };
  } catch (err) {
    return E.left(`${path}: cannot load (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  const inner = typeof mod.default === 'object' && mod.default !== null ? (mod.default as { default?: unknown }).default : undefined;
  const def = asGan(mod.default) ?? asGan(inner);
  return def ? E.right(def) : E.left(`${path}: the default export is not a GAN (export default gan({...}))`);
};

type GanOpts = GanSettings & {
  readonly out: string;
  readonly resume: boolean;
  readonly force: boolean;
  readonly typecheck: boolean;
  readonly quality: boolean;
};


const beta = (raw: string): number => {
  const x = Number(raw);
  if (raw.trim() === '' || !(x >= 0 && x < 1)) throw new CliError(`--beta1 must be in [0, 1), got ${JSON.stringify(raw)}`, EXIT.usage);
  return x;
};

export const ganCommand = async (spec: string, o: GanOpts): Promise<void> => {
  const { out: _out, resume: _resume, force: _force, typecheck: _typecheck, quality: _quality, ...settings } = o;
  // Loaded here, not at start-up: training brings onnxruntime.
  const [{ showDataError }, { resolveDataset }, { ganRun }, { writeFileAtomic }, { gridPng }] = await Promise.all([
    import('../../host/data/errors'),
    import('../../host/data/resolve'),
    import('../../apps/gan/run'),
    import('../../host/fsx'),
    import('../png'),
  ]);
  const def = await loadGanSpec(spec, o.typecheck);
  if (E.isLeft(def)) throw new CliError(def.left, existsSync(resolve(spec)) ? EXIT.dataErr : EXIT.noInput);
  const data = resolveDataset(o.data);
  if (E.isLeft(data)) throw new CliError(showDataError(data.left), data.left.missing ? EXIT.noInput : EXIT.dataErr);
  const started = performance.now();
  const result = await ganRun({
    model: def.right,
    specPath: spec,
    dir: o.out,
    data: data.right,
    resume: o.resume,
    force: o.force,
    settings,
    log: (line) => console.error(line),
    onRound: (round, l) => {
      if (round % 50 === 0 || round === o.rounds) console.error(`round ${round}/${o.rounds}: D ${l.d.toFixed(4)}  G ${l.g.toFixed(4)}`);
    },
  });
  if (E.isLeft(result)) throw new CliError(result.left, /cannot write|not a GAN run|not empty/.test(result.left) ? EXIT.cantCreate : EXIT.dataErr);
  const r = result.right;
  const [, h, w] = def.right.inputShape.length === 3 ? def.right.inputShape : [1, 1, def.right.inputShape[0]];
  const png = join(r.dir, 'samples.png');
  writeFileAtomic(png, gridPng(r.images, o.samples, h, w));
  console.log(`trained ${r.rounds} rounds${r.resumedFrom !== undefined ? ` (resumed at ${r.resumedFrom})` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s; samples: ${png}`);
  if (o.quality) {
    // Lazy: the classifier (and its first training) only when asked for.
    const { digitGeneratorQuality } = await import('../../analysis/eval/generatorQuality');
    const q = await digitGeneratorQuality(r.generate, r.latent, { threads: o.threads, log: (line) => console.error(line) });
    if (E.isLeft(q)) throw new CliError(q.left, EXIT.dataErr);
    const { images: _images, ...quality } = q.right;
    writeFileAtomic(join(r.dir, 'sample-quality.json'), `${JSON.stringify(quality, null, 2)}\n`);
    console.log(
      `sample quality (${q.right.samples} samples vs ${q.right.real} held-out digits): confident ${(100 * q.right.confident).toFixed(1)}% (real ${(100 * q.right.confidentReal).toFixed(1)}%), class entropy ${q.right.classEntropy.toFixed(3)} nats (log 10 = 2.303), Fréchet distance ${q.right.frechet.toFixed(3)}; ${join(r.dir, 'sample-quality.json')}`,
    );
  }
};

export const registerGan = (program: Command): void => {
  program
    .command('gan')
    .description('train a GAN spec (default export gan({...})): k discriminator steps per generator step, non-saturating loss')
    .argument('<spec>', 'TypeScript module whose default export is a GAN')
    .requiredOption('--data <name|path>', 'mnist (embedded), fashion-mnist, shapes, or a .npy / IDX file')
    .requiredOption('--out <run-dir>', 'run directory')
    .option('--rounds <n>', 'rounds (each: k discriminator steps, one generator step)', arg(positiveInt('rounds')), 500)
    .option('--batch <n>', 'batch size', arg(positiveInt('batch')), 64)
    .option('--k <n>', 'discriminator steps per generator step', arg(positiveInt('k')), 1)
    .option('--lr <x>', 'learning rate of both players', arg(positive('lr')), 2e-4)
    .option('--beta1 <x>', "Adam's β₁ (DCGAN: 0.5)", arg(beta), 0.5)
    .addOption(new Option('--optimizer <name>', 'optimizer of both players').choices(['adam', 'sgd', 'adagrad', 'rmsprop']).default('adam'))
    .option('--seed <s>', 'seed for initialisation, batches and noise', arg(seed('seed')), 1)
    .addOption(new Option('--provider <name>', 'execution provider (falls back to cpu, with a note)').choices([...PROVIDERS]).default('cpu'))
    .addOption(new Option('--dtype <dtype>', 'float type').choices(['f32', 'f64']).default('f32'))
    .option('--threads <n>', 'intra-op threads (default: one per core)', arg(threadsFlag()))
    .option('--checkpoint-every <n>', 'write a checkpoint every n rounds (and after the last)', arg(positiveInt('checkpoint-every')), 100)
    .option('--fuse <n>', 'rounds per onnxruntime call (default 16; 1 runs single steps; same results either way)', arg(positiveInt('fuse')))
    .option('--samples <n>', 'images in samples.png / samples.npy', arg(positiveInt('samples')), 64)
    .option('--resume', 'continue the run in --out from its last checkpoint', false)
    .option('--force', "write over a previous GAN run's files in --out", false)
    .option('--no-typecheck', 'skip type-checking the spec')
    .option('--quality', 'for 28×28 digit GANs: the sample-quality metric (classifier-confident share, class entropy, Fréchet distance) of 2,000 samples', false)
    .action((spec, o) => ganCommand(spec, o));
};
