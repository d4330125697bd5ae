// Tensors a trainer carries from call to call (parameters, optimizer state, buffers), rebuilt from
// a checkpoint: every carried name must be there with its size; dtypes and shapes stay the trainer's.
import * as ort from '../host/providers/ort';
import type { FloatArray } from './init';

export const restoreCarried = (
  carried: Readonly<Record<string, ort.Tensor>>,
  tensors: Readonly<Record<string, FloatArray>>,
): Record<string, ort.Tensor> => {
  const next: Record<string, ort.Tensor> = {};
  for (const [name, current] of Object.entries(carried)) {
    const saved = tensors[name];
    if (!saved || saved.length !== current.size) throw new RangeError(`checkpoint tensor ${name} is missing or has the wrong size`);
    next[name] = new ort.Tensor(current.type as 'float32' | 'float64', saved, current.dims);
  }
  return next;
};
