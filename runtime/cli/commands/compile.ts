// hourglass compile <spec.ts> --out <dir>: write the artifacts and the manifest. A GAN spec
// (default export gan({...})) gives both players' step graphs, the generator's graph and one manifest.
import type { Either } from 'fp-ts/Either';
import type { Artifacts } from '../../../compiler/compile';
import type { GanArtifacts } from '../../../compiler/gan';
import type { CompileError } from '../../../compiler/ir/types';
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import { CliError, EXIT } from '../../core/failure';
import { loadCompilable } from '../../host/spec/loadSpec';
import { existsSync } from 'node:fs';
import { enclosingRun, isOurManifest } from '../../run/outputs';

export interface CompileOpts {
  readonly out: string;
  readonly dtype: 'f32' | 'f64';
  readonly optimizer: OptimizerKind;
  readonly lr: number;
  readonly typecheck: boolean;
  /** Seconds the spec may take to load (default SPEC_TIMEOUT_S). */
  readonly specTimeout?: number;
  readonly set?: readonly string[];
  /** --max-memory in bytes: the most the spec's evaluation may use. */
  readonly maxMemory?: number;
}

/** Adam's β₁ for both players of a GAN, as `hourglass gan` trains them (Radford et al.'s 0.5). */
const GAN_BETA1 = 0.5;

export const compileCommand = async (spec: string, o: CompileOpts): Promise<void> => {
  // Loaded here, not at start-up: the compiler brings the ONNX protobuf code.
  const [E, { join }, { compileModel }, { compileGan }, { showError }, { cannotCreate, unwritable, writeFileAtomic }] = await Promise.all([
    import('fp-ts/Either'),
    import('node:path'),
    import('../../../compiler/compile'),
    import('../../../compiler/gan'),
    import('../../../compiler/ir/types'),
    import('../../host/fsx'),
  ]);
  // The output first: a file in the way or an unwritable place fails before the spec loads.
  const early = cannotCreate(o.out);
  if (early) throw new CliError(early, EXIT.cantCreate);
  // Never into a run directory, and never over a manifest.json (and its graphs) not written by Hourglass.
  const run = enclosingRun(join(o.out, 'manifest.json'));
  if (run) throw new CliError(`${o.out}: is inside the run directory ${run}, where only the run's own files go; compile elsewhere`, EXIT.cantCreate);
  const manifest = join(o.out, 'manifest.json');
  if (existsSync(manifest) && !isOurManifest(manifest)) throw new CliError(`${manifest}: exists and was not written by Hourglass; not replacing it (pick another --out)`, EXIT.cantCreate);
  const loaded = await loadCompilable(spec, { typecheck: o.typecheck, set: o.set, timeout: o.specTimeout, maxMemory: o.maxMemory });
  if (E.isLeft(loaded)) throw new CliError(loaded.left.message, loaded.left.exitCode);
  const loadedSpec = loaded.right;
  const { params } = loadedSpec;
  const optimizer = { kind: o.optimizer, lr: o.lr, hyper: {} };
  const ganHyper: Record<string, number> = o.optimizer === 'adam' ? { beta1: GAN_BETA1 } : {};
  const both = { ...optimizer, hyper: ganHyper };
  // The spec's own functions run inside the compiler: what they throw is the spec's error, not ours.
  let compiled: Either<CompileError, Artifacts | GanArtifacts>;
  try {
    compiled = 'gan' in loadedSpec ? compileGan(loadedSpec.gan, { generator: both, discriminator: both, dtype: o.dtype }) : compileModel(loadedSpec.model, { optimizer, dtype: o.dtype });
  } catch (err) {
    compiled = E.left({ path: '', message: `threw while building the graph: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` });
  }
  if (E.isLeft(compiled)) throw new CliError(`${spec}: ${showError(compiled.left)}`, EXIT.dataErr);
  const cannot = unwritable(o.out);
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  if (!existsSync(manifest))
    for (const name of Object.keys(compiled.right.files))
      if (existsSync(join(o.out, name))) throw new CliError(`${join(o.out, name)}: exists beside no Hourglass manifest.json; not replacing it (pick another --out)`, EXIT.cantCreate);
  for (const [name, bytes] of Object.entries(compiled.right.files)) {
    writeFileAtomic(join(o.out, name), bytes);
    console.log(`wrote ${join(o.out, name)} (${bytes.length} bytes)`);
  }
  writeFileAtomic(join(o.out, 'manifest.json'), JSON.stringify(compiled.right.manifest, null, 2));
  const m = compiled.right.manifest;
  const nParams = m.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const kind = 'gan' in loaded.right ? 'GAN, both players' : o.optimizer;
  console.log(`wrote ${join(o.out, 'manifest.json')} (${m.model}: ${m.params.length} parameter tensors, ${nParams} weights, ${kind}, ${o.dtype}${Object.keys(params).length ? `; ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`);
};
