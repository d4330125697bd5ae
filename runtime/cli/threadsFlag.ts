// --threads: intra-op threads beyond a few per core only thrash (100,000 threads took 16.6 GB
// and a load of 970), so the flag's range is named from this machine's cores. Node-only, so it
// lives with the CLI, not in the portable core.
import { availableParallelism } from 'node:os';
import { intIn } from '../core/failure';

export const THREADS_PER_CORE = 4;

/** The --threads parser: an integer from 1 to THREADS_PER_CORE × the cores. */
export const threadsFlag = (what = 'threads') => {
  const cores = availableParallelism();
  return intIn(what, 1, THREADS_PER_CORE * cores, `${THREADS_PER_CORE} × the ${cores} cores`);
};
