// --max-memory <size>: the most a run may need (its estimate, see runtime/run/memory.ts).
import { CliError, EXIT } from '../core/failure';
import { MAX_MEMORY_RANGE, parseSize } from '../run/memory';

export const maxMemoryFlag = (raw: string): number => {
  const bytes = parseSize(raw);
  const [lo, hi] = MAX_MEMORY_RANGE;
  if (bytes === null || bytes < lo || bytes > hi)
    throw new CliError(`--max-memory must be a size from 1MB to 1PB (e.g. 512MB, 8GB, 2GiB), got ${JSON.stringify(raw)}`, EXIT.usage);
  return bytes;
};
