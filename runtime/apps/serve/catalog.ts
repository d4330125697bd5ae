// What `hourglass serve` offers the page: compiled models (artifacts + manifest), the training
// settings the Node trainer would use, the data set, and a run's checkpoint when there is one.
// Built once at start; the page only picks among these (it never compiles).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { compileModel, type Artifacts } from '../../../compiler/compile';
import { showError } from '../../../compiler/ir/types';
import type { Manifest } from '../../../compiler/manifest';
import type { ModelDef } from '../../../compiler/model';
import { runFiles } from '../../run/layout';
import { readRecord } from '../../run/record';

export interface ServedModel {
  readonly id: string;
  readonly label: string;
  readonly latent: number;
  readonly beta?: number;
  readonly manifest: Manifest;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export interface Catalog {
  readonly title: string;
  readonly models: readonly ServedModel[];
  readonly defaultModel: string;
  /** What the Node trainer would use: the page trains with exactly these. */
  readonly settings: { readonly seed: number; readonly batch: number; readonly lr: number };
  /** Name for resolveDataset. */
  readonly data: string;
  /** A run's checkpoint, offered to the page to continue or explore. */
  readonly checkpoint?: { readonly file: string; readonly model: string };
}

/** The default page: the examples' VAE at a few latent sizes and β, all precompiled. */
export const VAE_LATENTS = [2, 8, 20] as const;
export const VAE_BETAS = [1, 4] as const;

const DEFAULT_SETTINGS = { seed: 1, batch: 128, lr: 1e-3 };

const compileF32 = (def: ModelDef, lr: number): E.Either<string, Artifacts> =>
  E.mapLeft(showError)(compileModel(def, { optimizer: { kind: 'adam', lr, hyper: {} }, dtype: 'f32' }));

const served = (id: string, label: string, a: Artifacts, beta?: number): ServedModel => ({
  id,
  label,
  latent: a.manifest.codeShape.reduce((x, y) => x * y, 1),
  beta,
  manifest: a.manifest,
  files: a.files,
});

/** examples/vae.ts's `vae(latent, beta)`: the caller loads it (the library never imports examples). */
export type VaeBuilder = (latent: number, beta: number) => { readonly def: ModelDef };

export const vaeCatalog = (vae: VaeBuilder, seed = DEFAULT_SETTINGS.seed): E.Either<string, Catalog> => {
  const models: ServedModel[] = [];
  for (const latent of VAE_LATENTS)
    for (const beta of VAE_BETAS) {
      const a = compileF32(vae(latent, beta).def, DEFAULT_SETTINGS.lr);
      if (E.isLeft(a)) return E.left(`examples/vae.ts (latent ${latent}, β ${beta}): ${a.left}`);
      models.push(served(`vae-z${latent}-b${beta}`, `VAE, latent ${latent}, β ${beta}`, a.right, beta));
    }
  return E.right({ title: 'VAE on MNIST digits', models, defaultModel: 'vae-z2-b1', settings: { ...DEFAULT_SETTINGS, seed }, data: 'mnist' });
};

export const specCatalog = (spec: string, def: ModelDef, seed = DEFAULT_SETTINGS.seed): E.Either<string, Catalog> => {
  const a = compileF32(def, DEFAULT_SETTINGS.lr);
  if (E.isLeft(a)) return E.left(`${spec}: ${a.left}`);
  const m = served('spec', `${a.right.manifest.model} (${spec})`, a.right);
  return E.right({ title: `${m.manifest.model} from ${spec}`, models: [m], defaultModel: 'spec', settings: { ...DEFAULT_SETTINGS, seed }, data: 'mnist' });
};

interface RunJson {
  readonly settings?: { readonly seed?: number; readonly batch?: number; readonly lr?: number; readonly data?: string; readonly dtype?: string };
}

/** A run directory: its own artifacts and manifest, settings, and last checkpoint. */
export const runCatalog = (dir: string): E.Either<string, Catalog> => {
  const f = runFiles(dir);
  if (!existsSync(f.manifest)) return E.left(`${dir}: not a run directory (no artifacts/manifest.json)`);
  let manifest: Manifest;
  let run: RunJson = {};
  try {
    manifest = JSON.parse(readFileSync(f.manifest, 'utf8')) as Manifest;
    if (existsSync(f.settings)) {
      const record = readRecord(f.settings);
      if (E.isLeft(record)) return E.left(`${dir}: unreadable run files (${record.left.message})`);
      run = record.right as RunJson;
    }
  } catch (err) {
    return E.left(`${dir}: unreadable run files (${err instanceof Error ? err.message : String(err)})`);
  }
  if (manifest.dtype !== 'f32') return E.left(`${dir}: the page trains f32 graphs; this run is ${manifest.dtype}`);
  const files: Record<string, Uint8Array> = {};
  for (const spec of [...Object.values(manifest.artifacts), manifest.multiStep]) {
    const path = join(f.artifacts, spec.file);
    if (!existsSync(path)) return E.left(`${path}: missing artifact`);
    files[spec.file] = readFileSync(path);
  }
  const s = run.settings ?? {};
  const settings = { seed: s.seed ?? DEFAULT_SETTINGS.seed, batch: s.batch ?? DEFAULT_SETTINGS.batch, lr: s.lr ?? DEFAULT_SETTINGS.lr };
  const m: ServedModel = { id: 'run', label: `${manifest.model} (${dir})`, latent: manifest.codeShape.reduce((x, y) => x * y, 1), manifest, files };
  const checkpoint = existsSync(f.checkpoint) && statSync(f.checkpoint).isFile() ? { file: f.checkpoint, model: 'run' } : undefined;
  return E.right({ title: `${manifest.model} from ${dir}`, models: [m], defaultModel: 'run', settings, data: s.data ?? 'mnist', checkpoint });
};
