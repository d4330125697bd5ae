// A spec is user code run at load time and at build time: one that never returns (an endless
// loop at the top level, in params(…, build), in a layer or in .objective()) would hang the
// command. It is first loaded, built and compiled in a worker thread, which can be stopped
// whatever it is doing; only a spec that finished there is loaded for real. A spec that calls
// process.exit ends only the worker, and is refused. A spec that allocates without end is
// stopped the same way, before it can take the machine: the worker's JavaScript heap is capped
// (resourceLimits: V8 ends the worker with ERR_WORKER_OUT_OF_MEMORY instead of aborting the
// process), and the process's memory is watched for what the heap cap cannot see: typed arrays
// live outside the heap, and a fresh one is not even resident until written, so what is watched
// is the data segment the process has asked for (Linux's VmData), or resident memory elsewhere.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { availableMemory } from '../freeMemory';

/** Default time a spec may take to load, in seconds (`--spec-timeout`). */
export const SPEC_TIMEOUT_S = 60;

// Plain JavaScript, so the worker needs nothing but tsx (passed as a resolved URL).
// The build step (loadSpec's own code, then compileModel) only has to finish: its errors are
// reported by the real load that follows, with their proper messages and codes.
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then(async ({ tsImport }) => {
    await tsImport(workerData.file, workerData.parent);
    if (!workerData.build) return;
    const { buildInProbe } = await tsImport(workerData.build, workerData.parent);
    await buildInProbe(workerData.file, workerData.set);
  })
  .then(() => parentPort.postMessage({ ok: true }), (err) => parentPort.postMessage({ ok: false, message: String(err && err.message || err).split('\\n')[0] }));
`;

export type Probe =
  | { readonly ok: true }
  | { readonly ok: false; readonly timedOut: boolean; readonly exited?: boolean; readonly outOfMemory?: boolean; readonly message: string };

const MB = 2 ** 20;
/** Loading tsx and the compiler takes ~100 MB: a smaller cap would refuse every spec. */
export const SPEC_MEMORY_FLOOR = 256 * MB;
/**
 * Without --max-memory: half the memory available, at most this. A spec builds graphs, not
 * weights (the largest example takes ~80 MB), and a JavaScript heap near a larger cap spends
 * most of its time collecting (4 GiB took 37 s to refuse, 2 GiB ~10 s).
 */
export const SPEC_MEMORY_CEILING = 2048 * MB;

/** The most a spec's evaluation may use: --max-memory when given (at least the floor), else half the memory available up to the ceiling. */
export const specMemoryBudget = (maxMemory?: number): number =>
  Math.max(SPEC_MEMORY_FLOOR, maxMemory ?? Math.min(availableMemory() / 2, SPEC_MEMORY_CEILING));

/** Decimal, as --max-memory and the memory estimate show sizes. */
const showMb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

/** How often the memory is sampled while the worker runs. */
const WATCH_MS = 25;

/** Memory the process has asked for: VmData (heap, mmap'd arrays, resident or not), else RSS. */
const committed = (): number => {
  try {
    const m = /^VmData:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss();
};

/**
 * Load `file` (and, given `build`, build and compile it with the --set values) in a worker; give
 * up after `seconds`, or once it uses more than `memory` bytes (heap, or resident growth).
 */
export const probeSpec = (file: string, seconds: number, build?: { readonly module: string; readonly set: readonly string[] }, memory = specMemoryBudget()): Promise<Probe> =>
  new Promise((done) => {
    const workerData = { file, parent: import.meta.url, tsx: import.meta.resolve('tsx/esm/api'), build: build?.module, set: build?.set ?? [] };
    const worker = new Worker(PROBE, { eval: true, workerData, stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: Math.floor(memory / MB) } });
    const tooBig: Probe = {
      ok: false,
      timedOut: false,
      outOfMemory: true,
      message: `used more than ${showMb(memory)} of memory while loading and building (does it allocate without end?); a spec builds a model, it does not hold data (if it really needs more: train or compile with a larger --max-memory)`,
    };
    // Loading a worker with the compiler asks for ~80 MB of it (examples/*.ts).
    const baseline = committed();
    const watch = setInterval(() => {
      if (committed() - baseline > memory) finish(tooBig);
    }, WATCH_MS);
    const timer = setTimeout(() => {
      finish({ ok: false, timedOut: true, message: `did not finish loading and building within ${seconds} s (an endless loop at the top level, in a build function, a layer or the objective?); raise --spec-timeout if it is only slow` });
    }, seconds * 1000);
    let settled = false;
    const finish = (p: Probe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      void worker.terminate();
      done(p);
    };
    worker.once('message', (m: { ok: boolean; message?: string }) => finish(m.ok ? { ok: true } : { ok: false, timedOut: false, message: m.message ?? 'failed' }));
    worker.once('error', (err: Error & { code?: string }) =>
      finish(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooBig : { ok: false, timedOut: false, message: String(err.message).split('\n')[0] }),
    );
    // An exit before the worker's answer is the spec calling process.exit (or dying).
    worker.once('exit', (code) => finish({ ok: false, timedOut: false, exited: true, message: `called process.exit(${code}) while loading or building; a spec must not end the process` }));
  });
