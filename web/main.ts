// The training page: the served artifacts train in this tab on onnxruntime-web, started exactly
// as `hourglass train` starts (runtime/core/trainState.ts), batched and shuffled by the Node loop
// itself (runtime/core/loop.ts), and saved in the Node checkpoint format (runtime/core/checkpointCodec.ts).
import * as ortWasm from 'onnxruntime-web/wasm';
import * as E from 'fp-ts/Either';
import type { Manifest } from '../compiler/manifest';
import { bakeWeights } from '../compiler/onnx/bake';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../runtime/core/checkpointCodec';
import { splitHeldOut, type Dataset } from '../runtime/core/dataset';
import { DivergedError, stepsPerEpoch, trainEpochs, type LoopPosition } from '../runtime/core/loop';
import { Rng } from '../runtime/core/random';
import { Trainer, type ArtifactBytes } from '../runtime/core/trainer';
import { LossChart } from './chart';
import { drawGrid, manifoldCodes, priorCodes } from './draw';
import { webEngine, type Ort } from './engine';

interface ModelInfo {
  readonly id: string;
  readonly label: string;
  readonly latent: number;
  readonly beta?: number;
  readonly manifest: string;
  readonly files: Readonly<Record<string, string>>;
}

interface Config {
  readonly title: string;
  readonly defaultModel: string;
  readonly settings: { readonly seed: number; readonly batch: number; readonly lr: number };
  readonly data: { readonly name: string; readonly n: number; readonly shape: number[]; readonly images: string; readonly labels?: string };
  readonly checkpoint?: { readonly url: string; readonly model: string };
  readonly models: readonly ModelInfo[];
}

/** Thrown out of a step to end the loop (reset, another model, another checkpoint). */
class Stopped extends Error {}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fetchBytes = async (url: string) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
};
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));
const RECON = 16;
const SAMPLES = 64;
const MANIFOLD = 15;
const DRAW_EVERY_MS = 500;

const download = (name: string, parts: BlobPart[]) => {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob(parts, { type: 'application/octet-stream' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
};

/** onnxruntime-web for this tab: the WebGPU build where a real adapter exists, else wasm. */
const chooseBackend = async (): Promise<{ ort: Ort; provider: 'wasm' | 'webgpu'; note: string }> => {
  const asked = Number(new URLSearchParams(location.search).get('threads'));
  const cores = navigator.hardwareConcurrency || 1;
  const threads = crossOriginIsolated ? (asked >= 1 ? Math.min(asked, cores) : cores) : 1;
  const configure = (ort: Ort) => {
    ort.env.wasm.wasmPaths = '/ort/';
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = 'error';
  };
  configure(ortWasm);
  const wasmNote = `wasm, ${threads} thread${threads > 1 ? 's' : ''}${crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}`;
  const forced = new URLSearchParams(location.search).get('backend');
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (forced === 'wasm' || !gpu) return { ort: ortWasm, provider: 'wasm', note: wasmNote };
  let adapter: unknown = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return { ort: ortWasm, provider: 'wasm', note: `${wasmNote}; no WebGPU adapter` };
  const ortGpu = (await import('onnxruntime-web/webgpu')) as unknown as Ort;
  configure(ortGpu);
  return { ort: ortGpu, provider: 'webgpu', note: 'WebGPU' };
};

// A real task boundary (not scheduler.yield, whose continuation jumps the queue ahead of input
// and DevTools): MessageChannel tasks are not clamped the way nested setTimeout(0) is.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToBrowser = (): Promise<void> =>
  new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });

class App {
  private trainer?: Trainer;
  private model!: ModelInfo;
  private art!: ArtifactBytes;
  private position?: LoopPosition;
  private step = 0;
  private loop?: Promise<void>;
  private paused = true;
  /** True only while the loop waits, paused, between two steps. */
  private idle = false;
  private stopping = false;
  private wake?: () => void;
  private tasks: (() => Promise<void>)[] = [];
  private stopAt?: { step: number; done: () => void };
  private drawing = true;
  private lastDraw = 0;
  private stepTimes: number[] = [];
  private chart?: LossChart;
  private heldOut?: number;
  private recording?: number[];
  private readonly artifacts = new Map<string, ArtifactBytes>();
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly cfg: Config,
    private readonly backend: { ort: Ort; provider: 'wasm' | 'webgpu'; note: string },
    private readonly train: Dataset,
    private readonly held: Dataset,
  ) {}

  private get side(): number {
    return Math.round(Math.sqrt(this.train.dim));
  }

  private async artifactsOf(m: ModelInfo): Promise<ArtifactBytes> {
    const cached = this.artifacts.get(m.id);
    if (cached) return cached;
    const manifest = (await (await fetch(m.manifest)).json()) as Manifest;
    const files: Record<string, Uint8Array> = {};
    for (const [name, url] of Object.entries(m.files)) files[name] = await fetchBytes(url);
    const art = { manifest, files };
    this.artifacts.set(m.id, art);
    return art;
  }

  /**
   * A fresh trainer for `m` from the configured seed, or from `checkpoint` when given. Loads run
   * one after another, so quick clicks on the latent and β controls cannot interleave two.
   */
  load(m: ModelInfo, checkpoint?: Checkpoint): Promise<void> {
    const next = this.loading.catch(() => undefined).then(() => this.loadNow(m, checkpoint));
    this.loading = next;
    return next;
  }

  private async loadNow(m: ModelInfo, checkpoint?: Checkpoint): Promise<void> {
    await this.stop();
    await this.trainer?.release();
    this.trainer = undefined;
    this.art = await this.artifactsOf(m);
    const s = this.cfg.settings;
    const create = (provider: 'wasm' | 'webgpu', ort: Ort) =>
      Trainer.create(webEngine(ort, provider), this.art, { seed: s.seed, lr: s.lr, eager: ['encode', 'decode'], beforeStep: () => this.beforeStep() });
    try {
      this.trainer = await create(this.backend.provider, this.backend.ort);
    } catch (err) {
      if (this.backend.provider === 'wasm') throw err;
      this.message(`WebGPU could not run the training graph (${err instanceof Error ? err.message : String(err)}); using wasm`);
      this.trainer = await create('wasm', ortWasm);
    }
    this.position = undefined;
    this.step = 0;
    this.heldOut = undefined;
    if (checkpoint) {
      this.trainer.restore(checkpoint.tensors, checkpoint.meta.noiseState);
      this.trainer.setLearningRate(checkpoint.meta.lr);
      const { step, epoch, stepInEpoch, shuffleState, partial } = checkpoint.meta;
      this.position = { step, epoch, stepInEpoch, shuffleState, partial };
      this.step = step;
    }
    // Only now is `m` the current model: state() never shows it with the last model's step.
    this.model = m;
    this.chart?.destroy();
    $('chart').replaceChildren();
    const terms = ['loss', ...this.art.manifest.terms.map((t) => t.name)];
    this.chart = new LossChart($('chart'), terms);
    $('latent').querySelectorAll('option').forEach((o) => (o.selected = Number(o.value) === m.latent));
    $('beta').querySelectorAll('option').forEach((o) => (o.selected = Number(o.value) === m.beta));
    $('manifold-figure').hidden = m.latent !== 2;
    this.showStats();
    await this.drawViews();
    document.body.dataset.model = m.id;
  }

  private position0(): LoopPosition {
    return { step: 0, epoch: 1, stepInEpoch: 0, shuffleState: Rng.seeded(this.cfg.settings.seed).state(), partial: {} };
  }

  /** Between two steps: the one place where state is consistent, so pauses and saves happen here. */
  private async beforeStep(): Promise<void> {
    // onnxruntime-web's runs resolve as microtasks: without a real yield the tab never paints
    // or handles a click while training.
    await yieldToBrowser();
    while (this.tasks.length) await this.tasks.shift()!();
    if (this.stopping) throw new Stopped();
    if (this.stopAt && this.step >= this.stopAt.step) {
      const done = this.stopAt.done;
      this.stopAt = undefined;
      this.setPaused(true);
      done();
    }
    if (this.drawing && performance.now() - this.lastDraw > DRAW_EVERY_MS) await this.drawViews();
    while (this.paused && !this.stopping) {
      // Tasks queued before the loop got here run first; from `idle = true` on, between() runs them.
      while (this.tasks.length) await this.tasks.shift()!();
      this.idle = true;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.idle = false;
    }
    if (this.stopping) throw new Stopped();
  }

  /**
   * Run `f` when the trainer is between steps: at once when no loop runs or it waits paused, else
   * at the next step's start (a Pause clicked mid-step lets that step finish first).
   */
  private between<T>(f: () => Promise<T> | T): Promise<T> {
    if (!this.loop || this.idle) return Promise.resolve(f());
    return new Promise<T>((resolve, reject) => this.tasks.push(async () => Promise.resolve(f()).then(resolve, reject)));
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    $('start').textContent = paused ? 'Start' : 'Pause';
    if (paused) this.showStats();
    if (!paused) {
      if (!this.loop) this.loop = this.run();
      this.wake?.();
    }
  }

  private async run(): Promise<void> {
    const trainer = this.trainer!;
    const s = this.cfg.settings;
    try {
      await trainEpochs(trainer, this.train, this.held, {
        epochs: Number.POSITIVE_INFINITY,
        batch: s.batch,
        seed: s.seed,
        resumeFrom: this.position,
        // Single steps: a fused Loop call gains nothing on wasm yet; every step is a checkpoint
        // position, so a save between any two steps resumes exactly in Node.
        fuse: 1,
        checkpointEvery: 1,
        onCheckpoint: (p) => {
          this.position = p;
        },
        onStep: (step, _inEpoch, losses) => {
          this.step = step;
          this.stepTimes.push(performance.now());
          this.recording?.push(performance.now());
          if (this.stepTimes.length > 64) this.stepTimes.shift();
          this.chart?.addStep(step, losses);
          $('train-loss').textContent = fmt(losses.loss);
          $('step').textContent = String(step);
        },
        onEpoch: async (r) => {
          this.heldOut = r.heldOut.loss;
          this.chart?.addHeldOut(this.step, r.heldOut.loss);
          this.showStats();
        },
      });
    } catch (err) {
      if (err instanceof DivergedError) this.message(`${err.message}; reset, or open a checkpoint`);
      else if (!(err instanceof Stopped)) throw err;
    } finally {
      this.loop = undefined;
      this.stopping = false;
      this.setPaused(true);
    }
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private showStats(): void {
    $('step').textContent = String(this.step);
    const perEpoch = stepsPerEpoch(this.train.n, this.cfg.settings.batch);
    $('epoch').textContent = String((this.position ?? this.position0()).epoch);
    const t = this.stepTimes;
    $('rate').textContent = t.length > 8 ? ((1000 * (t.length - 1)) / (t[t.length - 1] - t[0])).toFixed(1) : '–';
    $('heldout-loss').textContent = this.heldOut === undefined ? '–' : fmt(this.heldOut);
    $('heldout-loss').dataset.value = this.heldOut === undefined ? '' : String(this.heldOut);
    $('step').title = `${perEpoch} steps per epoch`;
  }

  /** Reconstructions, prior samples and (2-D latent) the manifold under the current parameters. */
  async drawViews(): Promise<void> {
    const t = this.trainer;
    if (!t) return;
    this.lastDraw = performance.now();
    const dim = this.train.dim;
    const side = this.side;
    const originals = this.held.images.subarray(0, RECON * dim);
    const recon = await t.decode(await t.encode(Float32Array.from(originals), RECON), RECON);
    const pairs = new Float32Array(2 * RECON * dim);
    pairs.set(originals, 0);
    pairs.set(recon, RECON * dim);
    drawGrid($('recon'), pairs, 2 * RECON, side, RECON, 2);
    const latent = this.model.latent;
    drawGrid($('samples'), await t.decode(priorCodes(SAMPLES, latent), SAMPLES), SAMPLES, side, 8, 1.5);
    if (latent === 2) drawGrid($('manifold'), await t.decode(manifoldCodes(MANIFOLD), MANIFOLD * MANIFOLD), MANIFOLD * MANIFOLD, side, MANIFOLD, 1);
    this.chart?.flush();
    this.showStats();
  }

  /** The state between steps, in the checkpoint format `hourglass train --resume` reads. */
  checkpoint(): Promise<Uint8Array[]> {
    return this.between(() => {
      const t = this.trainer!;
      const p = this.position ?? this.position0();
      return encodeCheckpoint({
        meta: { ...p, noiseState: t.noiseState(), lr: t.learningRate, specHash: this.art.manifest.specHash },
        tensors: t.snapshot(),
      });
    });
  }

  /** A forward graph with the current weights baked in, loadable by any ONNX Runtime. */
  forward(name: 'encode' | 'decode'): Promise<Uint8Array> {
    return this.between(() => {
      const m = this.art.manifest;
      const snap = this.trainer!.snapshot();
      const weights = Object.fromEntries(m.params.map((p) => [p.name, { data: snap[p.name], dims: p.shape }]));
      return bakeWeights(this.art.files[m.artifacts[name].file], weights);
    });
  }

  /** Open a checkpoint (from Node or from this page): the model with its spec hash, at its step. */
  async open(bytes: Uint8Array, name: string): Promise<void> {
    const c = decodeCheckpoint(bytes, name);
    if (E.isLeft(c)) return this.message(c.left);
    const hash = c.right.meta.specHash;
    for (const m of this.cfg.models) {
      const art = await this.artifactsOf(m);
      if (art.manifest.specHash === hash) {
        await this.load(m, c.right);
        this.message(`opened ${name}: ${m.label}, step ${c.right.meta.step}`);
        return;
      }
    }
    this.message(`${name}: written for a model this page does not serve (spec hash ${hash.slice(0, 12)}…)`);
  }

  /** Test and bench hook: train `n` more steps, then pause; each step's end time comes back. */
  trainFor(n: number, opts: { draw?: boolean } = {}): Promise<{ step: number; times: number[] }> {
    this.drawing = opts.draw ?? true;
    const times: number[] = [];
    this.recording = times;
    return new Promise((resolve) => {
      this.stopAt = {
        step: this.step + n,
        done: () => {
          this.recording = undefined;
          this.drawing = true;
          resolve({ step: this.step, times });
        },
      };
      this.setPaused(false);
    });
  }

  get currentModel(): ModelInfo {
    return this.model;
  }

  message(text: string): void {
    $('message').textContent = text;
  }

  state() {
    return { step: this.step, heldOut: this.heldOut, model: this.model.id, backend: this.backend.note, paused: this.paused, isolated: crossOriginIsolated };
  }
}

const main = async (): Promise<App> => {
  const cfg = (await (await fetch('/api/config')).json()) as Config;
  document.title = `Hourglass: ${cfg.title}`;
  $('title').textContent = `Hourglass: ${cfg.title}, trained in this tab`;
  const backend = await chooseBackend();
  $('backend').textContent = `onnxruntime-web ${backend.note}; batch ${cfg.settings.batch}, seed ${cfg.settings.seed}, learning rate ${cfg.settings.lr}`;
  const raw = await fetchBytes(cfg.data.images);
  const images = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const labels = cfg.data.labels ? await fetchBytes(cfg.data.labels) : undefined;
  const dim = cfg.data.shape.reduce((a, b) => a * b, 1);
  // The same deterministic split as `hourglass train`: the held-out digits are the same ones.
  const { train, heldOut } = splitHeldOut({ name: cfg.data.name, images, labels, n: cfg.data.n, shape: cfg.data.shape, dim });
  const app = new App(cfg, backend, train, heldOut);

  const latents = [...new Set(cfg.models.map((m) => m.latent))];
  const betas = [...new Set(cfg.models.map((m) => m.beta).filter((b): b is number => b !== undefined))];
  $('latent').replaceChildren(...latents.map((l) => new Option(String(l), String(l))));
  $('beta').replaceChildren(...betas.map((b) => new Option(String(b), String(b))));
  $<HTMLSelectElement>('beta').parentElement!.hidden = betas.length < 2;
  $<HTMLSelectElement>('latent').parentElement!.hidden = latents.length < 2;
  const pick = async () => {
    const latent = Number($<HTMLSelectElement>('latent').value);
    const beta = Number($<HTMLSelectElement>('beta').value);
    const m = cfg.models.find((x) => x.latent === latent && (betas.length === 0 || x.beta === beta)) ?? cfg.models[0];
    await app.load(m);
  };
  $('latent').addEventListener('change', () => void pick());
  $('beta').addEventListener('change', () => void pick());
  $('start').addEventListener('click', () => app.setPaused(!app.state().paused));
  $('reset').addEventListener('click', () => void pick());
  $('dl-checkpoint').addEventListener('click', async () => download('checkpoint.hgck', (await app.checkpoint()) as BlobPart[]));
  $('dl-encode').addEventListener('click', async () => download('encode.onnx', [(await app.forward('encode')) as BlobPart]));
  $('dl-decode').addEventListener('click', async () => download('decode.onnx', [(await app.forward('decode')) as BlobPart]));
  $<HTMLInputElement>('open-checkpoint').addEventListener('change', async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) await app.open(new Uint8Array(await file.arrayBuffer()), file.name);
    (ev.target as HTMLInputElement).value = '';
  });
  if (cfg.checkpoint) {
    const url = cfg.checkpoint.url;
    $('run-checkpoint').hidden = false;
    $('run-checkpoint').addEventListener('click', async () => app.open(await fetchBytes(url), 'checkpoint.hgck'));
  }

  await app.load(cfg.models.find((m) => m.id === cfg.defaultModel) ?? cfg.models[0]);
  for (const id of ['start', 'reset', 'dl-encode', 'dl-decode', 'dl-checkpoint']) $<HTMLButtonElement>(id).disabled = false;
  document.body.dataset.ready = 'true';
  return app;
};

const ready = main();
ready.catch((err) => {
  $('message').textContent = `could not start: ${err instanceof Error ? err.message : String(err)}`;
  console.error(err);
});

// For tests and the bench: the page's own API, no UI clicking needed for measurements.
(window as unknown as { hourglass: unknown }).hourglass = {
  ready: ready.then(() => undefined),
  app: ready,
  async trainFor(n: number, draw = true) {
    return (await ready).trainFor(n, { draw });
  },
  async checkpoint(): Promise<string> {
    const parts = await (await ready).checkpoint();
    const bytes = new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  },
  async state() {
    return (await ready).state();
  },
  /** Back to step 0 of the current model (fresh seeded parameters). */
  async reset() {
    const app = await ready;
    await app.load(app.currentModel);
  },
};
