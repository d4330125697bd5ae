// A spec is user code run at load time and at build time: one that never returns (an endless
// loop at the top level, in params(…, build), in a layer or in .objective()) would hang the
// command. It is first loaded, built and compiled in a worker thread, which can be stopped
// whatever it is doing; only a spec that finished there is loaded for real. A spec that calls
// process.exit ends only the worker, and is refused.
import { Worker } from 'node:worker_threads';

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

export type Probe = { readonly ok: true } | { readonly ok: false; readonly timedOut: boolean; readonly exited?: boolean; readonly message: string };

/** Load `file` (and, given `build`, build and compile it with the --set values) in a worker; give up after `seconds`. */
export const probeSpec = (file: string, seconds: number, build?: { readonly module: string; readonly set: readonly string[] }): Promise<Probe> =>
  new Promise((done) => {
    const workerData = { file, parent: import.meta.url, tsx: import.meta.resolve('tsx/esm/api'), build: build?.module, set: build?.set ?? [] };
    const worker = new Worker(PROBE, { eval: true, workerData, stdout: true, stderr: true });
    const timer = setTimeout(() => {
      void worker.terminate();
      done({ ok: false, timedOut: true, message: `did not finish loading and building within ${seconds} s (an endless loop at the top level, in a build function, a layer or the objective?); raise --spec-timeout if it is only slow` });
    }, seconds * 1000);
    const finish = (p: Probe) => {
      clearTimeout(timer);
      void worker.terminate();
      done(p);
    };
    worker.once('message', (m: { ok: boolean; message?: string }) => finish(m.ok ? { ok: true } : { ok: false, timedOut: false, message: m.message ?? 'failed' }));
    worker.once('error', (err: Error) => finish({ ok: false, timedOut: false, message: String(err.message).split('\n')[0] }));
    // An exit before the worker's answer is the spec calling process.exit (or dying).
    worker.once('exit', (code) => finish({ ok: false, timedOut: false, exited: true, message: `called process.exit(${code}) while loading or building; a spec must not end the process` }));
  });
