// A spec is user code run at load time: one that never returns (an endless loop at the top
// level) would hang the command. It is first loaded in a worker thread, which can be stopped
// whatever it is doing; only a spec that finished loading there is loaded for real.
import { Worker } from 'node:worker_threads';

/** Default time a spec may take to load, in seconds (`--spec-timeout`). */
export const SPEC_TIMEOUT_S = 60;

// Plain JavaScript, so the worker needs nothing but tsx (passed as a resolved URL).
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then(({ tsImport }) => tsImport(workerData.file, workerData.parent))
  .then(() => parentPort.postMessage({ ok: true }), (err) => parentPort.postMessage({ ok: false, message: String(err && err.message || err).split('\\n')[0] }));
`;

export type Probe = { readonly ok: true } | { readonly ok: false; readonly timedOut: boolean; readonly message: string };

/** Load `file` in a worker; give up after `seconds`. */
export const probeSpec = (file: string, seconds: number): Promise<Probe> =>
  new Promise((done) => {
    const worker = new Worker(PROBE, { eval: true, workerData: { file, parent: import.meta.url, tsx: import.meta.resolve('tsx/esm/api') }, stdout: true, stderr: true });
    const timer = setTimeout(() => {
      void worker.terminate();
      done({ ok: false, timedOut: true, message: `did not finish loading within ${seconds} s (an endless loop at the top level?); raise --spec-timeout if it is only slow` });
    }, seconds * 1000);
    const finish = (p: Probe) => {
      clearTimeout(timer);
      void worker.terminate();
      done(p);
    };
    worker.once('message', (m: { ok: boolean; message?: string }) => finish(m.ok ? { ok: true } : { ok: false, timedOut: false, message: m.message ?? 'failed' }));
    worker.once('error', (err: Error) => finish({ ok: false, timedOut: false, message: String(err.message).split('\n')[0] }));
    worker.once('exit', (code) => finish(code === 0 ? { ok: true } : { ok: false, timedOut: false, message: `exited with code ${code} while loading` }));
  });
