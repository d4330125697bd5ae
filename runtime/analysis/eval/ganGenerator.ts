// A finished GAN run's generator, opened for evaluation: the generate graph the run wrote under
// artifacts/, fed the generator's tensors from the run's last checkpoint. Reads the run; writes
// nothing into it (unlike resuming it through the GAN app, which would rewrite samples.npy).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import type { GanManifest } from '../../../compiler/gan';
import { readCheckpoint } from '../../host/checkpoint';
import * as ort from '../../host/providers/ort';
import { openSession } from '../../host/session';

export interface GanGenerator {
  readonly model: string;
  readonly latent: number;
  readonly inputShape: readonly number[];
  /** Rounds trained (the checkpoint's position). */
  readonly rounds: number;
  /** Images in [0, 1] for n codes [n, latent], with the generator's running statistics. */
  readonly generate: (z: Float32Array, n: number) => Promise<Float32Array>;
}

/** A directory `hourglass gan` wrote (it holds gan.json). */
export const isGanRun = (dir: string): boolean => existsSync(join(dir, 'gan.json'));

export const openGanGenerator = async (dir: string, o: { threads?: number } = {}): Promise<E.Either<string, GanGenerator>> => {
  const manifestFile = join(dir, 'artifacts', 'manifest.json');
  if (!existsSync(manifestFile)) return E.left(`${dir}: no artifacts/manifest.json (not a finished GAN run)`);
  const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as GanManifest;
  const ck = readCheckpoint(join(dir, 'checkpoint.hgck'));
  if (E.isLeft(ck)) return ck;
  if (ck.right.meta.specHash !== m.specHash) return E.left(`${dir}: the checkpoint was written for another model than artifacts/manifest.json (spec hash differs)`);
  const type = m.dtype === 'f64' ? 'float64' : 'float32';
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of m.generate.inputs) {
    if (i.name === 'code') continue;
    const t = ck.right.tensors[i.name];
    if (!t) return E.left(`${dir}: the checkpoint lacks ${i.name}, which the generator reads`);
    feeds[i.name] = new ort.Tensor(type, m.dtype === 'f64' ? Float64Array.from(t) : Float32Array.from(t), [...(i.shape as number[])]);
  }
  const { session } = await openSession(readFileSync(join(dir, 'artifacts', m.generate.file)), { threads: o.threads });
  const per = m.inputShape.reduce((a, b) => a * b, 1);
  const generate = async (z: Float32Array, n: number): Promise<Float32Array> => {
    const out = new Float32Array(n * per);
    // Batches of 500: the metric's 2,000 codes need not be one tensor.
    for (let s = 0; s < n; s += 500) {
      const k = Math.min(500, n - s);
      const codes = z.subarray(s * m.latent, (s + k) * m.latent);
      const r = await session.run({ ...feeds, code: new ort.Tensor(type, m.dtype === 'f64' ? Float64Array.from(codes) : Float32Array.from(codes), [k, m.latent]) });
      out.set(Float32Array.from(r.image.data as Float32Array | Float64Array), s * per);
    }
    return out;
  };
  return E.right({ model: m.model, latent: m.latent, inputShape: m.inputShape, rounds: ck.right.meta.step, generate });
};
