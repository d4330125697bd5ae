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
export { Trainer, type TrainerOptions } from './runtime/core/trainer';
export { openTrainer, type NodeTrainerOptions } from './runtime/host/trainer';
export type { EpochReport } from './runtime/core/loop';
export { EXIT, type ExitCode, type Failure } from './runtime/core/failure';

// Using a trained run: encode and decode through its exported graphs.
export { openRun, type OpenedRun } from './runtime/run/open';

// Data sets.
export { resolveDataset } from './runtime/host/data/resolve';
export { splitHeldOut, type Dataset } from './runtime/core/dataset';
export { loadMnistDigits } from './runtime/host/data/mnist';
export { loadNpy, saveNpy } from './runtime/host/data/npy';

// Checkpoints.
export { readCheckpoint, writeCheckpoint, type Checkpoint, type CheckpointMeta } from './runtime/host/checkpoint';
