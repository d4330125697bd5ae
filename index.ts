// The package entry: `import { … } from 'hourglass'`. Everything a spec or a script needs —
// the DSL, the example families, the compiler, training, using a trained run, data sets and
// checkpoints — from one place; the folders behind it are not part of the public surface.

// The DSL: combinators, likelihoods, divergences.
export * from './dsl';

// Example families (each a function returning a model; see examples/).
export { vae } from './examples/vae';
export { betaVae } from './examples/beta-vae';
export { mmdVae } from './examples/mmd-vae';
export { kSparse } from './examples/k-sparse';
export { linearAutoencoder } from './examples/linear-ae';
export { deepAutoencoder } from './examples/deep-ae';
export { denseAutoencoder } from './examples/dense-ae';

// The compiler: model → ONNX artifacts and manifest.
export { compileModel, type Artifacts } from './compiler/compile';
export { showError, type CompileError } from './compiler/ir/types';
export type { ModelDef } from './compiler/model';
export type { Manifest } from './compiler/manifest';

// Training: a run directory as the CLI writes it, or the trainer itself.
export { train, type TrainOptions } from './runtime/run/train';
export { trainRun, type RunRequest, type RunSummary, type TrainSettings } from './runtime/run/trainRun';
export { Trainer, type TrainerOptions } from './runtime/trainer';
export type { EpochReport } from './runtime/loop';
export { EXIT, type ExitCode, type Failure } from './runtime/cli/fail';

// Using a trained run: encode and decode through its exported graphs.
export { openRun, type OpenedRun } from './runtime/run/open';

// Data sets.
export { resolveDataset } from './runtime/data/resolve';
export { splitHeldOut, type Dataset } from './runtime/data/dataset';
export { loadMnistDigits } from './runtime/data/mnist';
export { loadNpy, saveNpy } from './runtime/data/npy';

// Checkpoints.
export { readCheckpoint, writeCheckpoint, type Checkpoint, type CheckpointMeta } from './runtime/checkpoint';
