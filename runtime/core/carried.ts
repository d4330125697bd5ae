// Tensors a trainer carries from call to call (parameters, optimizer state, buffers), rebuilt from
// a checkpoint: every carried name must be there with its size; dtypes and shapes stay the trainer's.
import type { Engine, Tensor } from './engine';
import type { FloatArray } from './init';

export const restoreCarried = (
  engine: Engine,
  carried: Readonly<Record<string, Tensor>>,
  tensors: Readonly<Record<string, FloatArray>>,
): Record<string, Tensor> => {
  const next: Record<string, Tensor> = {};
  for (const [name, current] of Object.entries(carried)) {
    const saved = tensors[name];
    if (!saved || saved.length !== current.size) throw new RangeError(`checkpoint tensor ${name} is missing or has the wrong size`);
    next[name] = new engine.Tensor(current.type as 'float32' | 'float64', saved, current.dims);
  }
  return next;
};

/** Current values of carried tensors (copies out of onnxruntime). */
export const snapshotCarried = (carried: Readonly<Record<string, Tensor>>): Record<string, FloatArray> =>
  Object.fromEntries(Object.entries(carried).map(([k, t]) => [k, t.data as FloatArray]));
