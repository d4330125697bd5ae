// A GAN training run in a directory: compile both step graphs, train rounds with checkpoints and
// per-round metrics, resume exactly after a crash, and write a grid of samples. Failures come back
// as one-line reasons; an existing directory is reused only for a GAN run's own files.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { compileGan, type GanArtifacts, type GanDef } from '../../../compiler/gan';
import { showError } from '../../../compiler/ir/types';
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import { readCheckpoint, writeCheckpoint } from '../../host/checkpoint';
import type { Dataset } from '../../core/dataset';
import { DivergedError } from '../../core/loop';
import { Rng } from '../../core/random';
import { nodeEngine, type Provider } from '../../host/session';
import { isNonEmptyDir, unwritable, writeFileAtomic } from '../../host/fsx';
import { trainGan, type GanPosition } from './loop';
import { generate, openGanTrainer } from './players';

export interface GanSettings {
  readonly rounds: number;
  readonly batch: number;
  readonly k: number;
  readonly lr: number;
  /** Adam's β₁ (0.5 in DCGAN). */
  readonly beta1: number;
  readonly optimizer: OptimizerKind;
  readonly seed: number;
  readonly provider: Provider;
  readonly dtype: 'f32' | 'f64';
  readonly data: string;
  readonly checkpointEvery: number;
  /** Rounds per onnxruntime call (the fused graph); 1 runs single steps. Default DEFAULT_GAN_FUSE. */
  readonly fuse?: number;
  readonly samples: number;
  readonly threads?: number;
}

/** Rounds per call by default: fused rounds equal single ones bit for bit and cost less CPU (bench/PART-C.md, lever 6). */
export const DEFAULT_GAN_FUSE = 16;

export interface GanRunRequest {
  readonly model: GanDef;
  readonly specPath: string;
  readonly dir: string;
  readonly settings: GanSettings;
  readonly data: Dataset;
  readonly resume?: boolean;
  readonly force?: boolean;
  readonly log: (line: string) => void;
  readonly onRound?: (round: number, losses: Record<string, number>) => void;
}

export const ganFiles = (dir: string) => ({
  dir,
  /** The run's settings; also the marker that lets --force reuse the directory. */
  settings: join(dir, 'gan.json'),
  artifacts: join(dir, 'artifacts'),
  manifest: join(dir, 'artifacts', 'manifest.json'),
  metrics: join(dir, 'metrics.jsonl'),
  checkpoint: join(dir, 'checkpoint.hgck'),
  samples: join(dir, 'samples.npy'),
});

const writeArtifacts = (f: ReturnType<typeof ganFiles>, a: GanArtifacts) => {
  mkdirSync(f.artifacts, { recursive: true });
  for (const [name, bytes] of Object.entries(a.files)) writeFileAtomic(join(f.artifacts, name), bytes);
  writeFileAtomic(f.manifest, JSON.stringify(a.manifest, null, 2));
};

/** A little-endian f32 .npy of shape `dims`. */
export const npyBytes = (data: ArrayLike<number>, dims: readonly number[]): Uint8Array => {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 4 * data.length);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  new Uint8Array(out.buffer, 10 + header.length).set(new Uint8Array(Float32Array.from(data).buffer));
  return out;
};

export interface GanRunSummary {
  readonly dir: string;
  readonly rounds: number;
  readonly last?: { readonly discriminator: Record<string, number>; readonly generator: Record<string, number> };
  readonly resumedFrom?: number;
  readonly samples: string;
  /** n generated images in [0, 1], row-major, for a preview. */
  readonly images: Float32Array | Float64Array;
  /** The trained generator, for more samples (the sample-quality metric draws 2,000). */
  readonly generate: (z: Float32Array, n: number) => Promise<Float32Array>;
  readonly latent: number;
}

export const ganRun = async (req: GanRunRequest): Promise<E.Either<string, GanRunSummary>> => {
  const f = ganFiles(req.dir);
  const s = req.settings;
  if (req.resume && req.force) return E.left('--resume and --force exclude each other');
  if (!req.resume && isNonEmptyDir(f.dir)) {
    if (!req.force) return E.left(`${f.dir}: directory exists and is not empty; pass --resume to continue it or --force to write over a GAN run's files`);
    if (!existsSync(f.settings)) return E.left(`${f.dir}: not a GAN run (no gan.json); refusing to write into it even with --force`);
  }
  if (req.resume && !existsSync(f.checkpoint)) return E.left(`${f.checkpoint}: nothing to resume (no checkpoint in ${f.dir})`);
  const cannot = unwritable(f.dir);
  if (cannot) return E.left(cannot);

  const hyper: Record<string, number> = s.optimizer === 'adam' ? { beta1: s.beta1 } : {};
  const opt = { kind: s.optimizer, lr: s.lr, hyper };
  const compiled = compileGan(req.model, { generator: opt, discriminator: opt, dtype: s.dtype });
  if (E.isLeft(compiled)) return E.left(`${req.specPath}: ${showError(compiled.left)}`);
  const m = compiled.right.manifest;
  const wants = m.inputShape.reduce((a, b) => a * b, 1);
  if (req.data.dim !== wants) return E.left(`${s.data}: examples have shape [${req.data.shape.join(', ')}], but ${m.model} expects [${m.inputShape.join(', ')}]`);

  // Memory patterns off: the DCGAN's peak RSS 584 → 447 MB fused, 683 → 480 MB single, at the
  // same rounds/s (bench/abGan.ts, both orders twice: 0.996×); results are bit-identical (docs/speed.md).
  // Spinning off: the same wall time on a quiet machine (1.01×, both orders) for 11–27% less CPU,
  // and 1.52× the rounds/s on a loaded one, where spinning threads take the cores the work needs.
  const trainer = await openGanTrainer(nodeEngine({ provider: s.provider, threads: s.threads, log: req.log, memPattern: false, spin: false }), compiled.right, s.seed);
  let resumeFrom: GanPosition | undefined;
  if (req.resume) {
    const c = readCheckpoint(f.checkpoint);
    if (E.isLeft(c)) return c;
    if (c.right.meta.specHash !== m.specHash) return E.left(`${f.checkpoint}: was written for a different model or optimizer than ${req.specPath} (spec hash differs)`);
    trainer.restore(c.right.tensors, c.right.meta.noiseState);
    resumeFrom = { round: c.right.meta.step, dataState: c.right.meta.shuffleState };
    if (existsSync(f.metrics)) {
      const kept = readFileSync(f.metrics, 'utf8').split('\n').filter((l) => l.trim() && (JSON.parse(l) as { round: number }).round <= resumeFrom!.round);
      writeFileAtomic(f.metrics, kept.map((l) => `${l}\n`).join(''));
    }
    req.log(`resuming ${f.dir} at round ${resumeFrom.round}`);
  } else {
    mkdirSync(f.dir, { recursive: true });
    writeArtifacts(f, compiled.right);
    writeFileAtomic(f.settings, JSON.stringify({ spec: req.specPath, model: m.model, specHash: m.specHash, settings: s }, null, 2));
    writeFileSync(f.metrics, '');
  }

  let lastSaved = resumeFrom?.round ?? 0;
  const save = (p: GanPosition) => {
    writeCheckpoint(f.checkpoint, {
      meta: { step: p.round, epoch: 1, stepInEpoch: p.round, shuffleState: p.dataState, noiseState: trainer.noiseState(), lr: s.lr, partial: {}, specHash: m.specHash },
      tensors: trainer.snapshot(),
    });
    lastSaved = p.round;
  };
  let last: GanRunSummary['last'];
  try {
    await trainGan(trainer, req.data, {
      rounds: s.rounds,
      batch: s.batch,
      k: s.k,
      seed: s.seed,
      resumeFrom,
      checkpointEvery: s.checkpointEvery,
      fuse: s.fuse ?? DEFAULT_GAN_FUSE,
      onCheckpoint: save,
      onRound: (round, r) => {
        last = { discriminator: r.discriminator[r.discriminator.length - 1], generator: r.generator };
        appendFileSync(f.metrics, `${JSON.stringify({ round, ...last })}\n`);
        req.onRound?.(round, { d: last.discriminator.loss, g: last.generator.loss });
      },
    });
  } catch (err) {
    if (err instanceof DivergedError)
      return E.left(`${err.message.replace('at step', 'at round')}; the last good checkpoint is ${f.checkpoint} (round ${lastSaved}) — lower the learning rate and --resume`);
    throw err;
  }
  // Samples from fixed codes (seeded apart from training), so runs can be compared by eye.
  const codes = new Float32Array(s.samples * m.latent);
  Rng.seeded(s.seed ^ 0x5a3b1e).fillNormal(codes);
  const images = await generate(trainer, m, codes, s.samples);
  writeFileAtomic(f.samples, npyBytes(images, [s.samples, ...m.inputShape]));
  const more = async (z: Float32Array, n: number) => Float32Array.from(await generate(trainer, m, z, n));
  return E.right({ dir: f.dir, rounds: s.rounds, last, resumedFrom: resumeFrom?.round, samples: f.samples, images, generate: more, latent: m.latent });
};
