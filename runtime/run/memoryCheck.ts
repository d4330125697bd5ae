// train's memory line and its refusal: the estimate (memory.ts) against the available memory
// and --max-memory, checked before the parameters, optimizer state and sessions are allocated.
import type { Artifacts } from '../../compiler/compile';
import { EXIT, failure, type Failure } from '../core/failure';
import { availableMemory } from '../host/freeMemory';
import { estimateMemory, showBytes, showEstimate } from './memory';

interface Request {
  readonly data: { readonly images: { readonly length: number } };
  readonly heldOutSet?: { readonly images: { readonly length: number } };
  readonly maxMemory?: number;
  readonly availableMemory?: () => number;
}

export const checkMemory = (
  a: Artifacts,
  o: { batch: number; fuse: number; trainValues: number; evalBatch: number; req: Request },
  log: (line: string) => void,
): Failure | null => {
  const { req } = o;
  const est = estimateMemory(a.manifest, a.values, a.evalValues, {
    batch: o.batch,
    fuse: o.fuse,
    dataValues: req.data.images.length + (req.heldOutSet?.images.length ?? 0),
    split: !req.heldOutSet,
    trainValues: o.trainValues,
    evalBatch: o.evalBatch,
  });
  log(showEstimate(est));
  const free = (req.availableMemory ?? availableMemory)();
  const limit = req.maxMemory !== undefined && req.maxMemory < free ? { bytes: req.maxMemory, what: `--max-memory ${showBytes(req.maxMemory)}` } : { bytes: free, what: `the ${showBytes(free)} of memory available` };
  if (est.total <= limit.bytes) return null;
  const largest = est.largest.map((t) => `${t.name} ${showBytes(t.bytes)}`).join(', ');
  return failure(
    EXIT.noMemory,
    `${a.manifest.model}: this run needs ~${showBytes(est.total)}, more than ${limit.what}; the largest tensors: ${largest} — lower --batch or --fuse, or make the model smaller`,
  );
};
