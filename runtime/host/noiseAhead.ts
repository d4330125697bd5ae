// Lever 1 of issue 25: the next fused call's noise is drawn in a worker thread while
// onnxruntime-node runs the current call (its `run` holds the main thread: bench/runBlocking.ts).
// Buffers travel by transfer (no copy): the worker fills one set while the running call reads the
// other. The worker draws from the stream state the trainer hands it with the trainer's own loop,
// so a prefetch is bit for bit what the main thread would draw; one that does not start from the
// trainer's state with the call's shape (an epoch's shorter last chunk, a rewind, a restore, single
// steps in between) is cancelled, and the trainer draws as before.
import { Worker } from 'node:worker_threads';
import { stackSizes, type DrawnStacks, type NoiseAhead, type NoiseLayout } from '../core/noiseStacks';
import { floatsOf, type NoiseDone, type NoiseJob } from './noiseWorker';

// Plain JavaScript that loads the worker's module through tsx (from sources or from dist/ alike).
const BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ tsImport }) => tsImport(workerData.file, workerData.parent)).then((m) => m.serveNoise());
`;

const key = (state: readonly number[], l: NoiseLayout) => JSON.stringify([state, l.dtype, l.iterations, l.groups.map((g) => [g.times, g.per])]);

interface Pending {
  readonly key: string;
  readonly done: Promise<NoiseDone>;
}

class WorkerNoiseAhead implements NoiseAhead {
  private worker?: Worker;
  private failed?: Error;
  /** The buffers take() last handed out: the running call reads them until the next take(). */
  private given: ArrayBuffer[] = [];
  /** Buffers nobody reads, to fill next. */
  private spare: ArrayBuffer[] = [];
  private readonly cancel = new Int32Array(new SharedArrayBuffer(4));
  private pending?: Pending;
  private nextId = 0;
  private readonly answers = new Map<number, { resolve: (d: NoiseDone) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const workerData = { tsx: import.meta.resolve('tsx/esm/api'), file: new URL(`./noiseWorker${ext}`, import.meta.url).href, parent: import.meta.url };
    const w = new Worker(BOOT, { eval: true, workerData });
    w.on('message', (d: NoiseDone) => {
      this.answers.get(d.id)?.resolve(d);
      this.answers.delete(d.id);
      // Idle, the worker must not keep the process alive; while it draws, it must.
      if (this.answers.size === 0) w.unref();
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const a of this.answers.values()) a.reject(e);
      this.answers.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the noise worker exited (code ${code})`)));
    return w;
  }

  ahead(state: readonly number[], layout: NoiseLayout): void {
    if (this.failed || this.pending) return;
    this.worker ??= this.start();
    const bytes = layout.dtype === 'f64' ? 8 : 4;
    const spare = this.spare;
    this.spare = [];
    const buffers = stackSizes(layout).map((n, i) => (spare[i] && spare[i].byteLength >= n * bytes ? spare[i] : new ArrayBuffer(n * bytes)));
    const id = this.nextId++;
    const done = new Promise<NoiseDone>((resolve, reject) => this.answers.set(id, { resolve, reject }));
    Atomics.store(this.cancel, 0, 0);
    this.worker.ref();
    this.worker.postMessage({ id, state, layout, buffers, cancel: this.cancel.buffer as SharedArrayBuffer } satisfies NoiseJob, buffers);
    this.pending = { key: key(state, layout), done };
  }

  async take(state: readonly number[], layout: NoiseLayout): Promise<DrawnStacks | undefined> {
    // The call that read the last buffers handed out has returned: they are free again.
    if (this.given.length) [this.spare, this.given] = [this.given, []];
    const p = this.pending;
    if (!p) return undefined;
    this.pending = undefined;
    const wanted = p.key === key(state, layout);
    // A prefetch for another start or shape: stop it, and take its buffers back.
    if (!wanted) Atomics.store(this.cancel, 0, 1);
    const d = await p.done;
    if (!wanted || d.state === null) {
      this.spare = [...d.buffers];
      return undefined;
    }
    this.given = [...d.buffers];
    const sizes = stackSizes(layout);
    return { stacks: d.buffers.map((b, i) => floatsOf(layout.dtype, b, sizes[i])), state: d.state };
  }

  async close(): Promise<void> {
    this.pending = undefined;
    this.failed = new Error('the noise worker was closed');
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      // A draw's answer arriving now must not unreference the worker: the process could then end
      // before terminate() settles (exit code 13, an unsettled top-level await).
      w.removeAllListeners('message');
      w.removeAllListeners('exit');
      this.answers.clear();
      w.ref();
      await w.terminate();
    }
  }
}

/** A NoiseAhead on a worker thread of its own (started on the first ahead()). */
export const workerNoiseAhead = (): NoiseAhead => new WorkerNoiseAhead();
