// `hourglass serve`: the real binary serves the page with the headers wasm threads need and the
// MIME types onnxruntime-web needs; a run directory brings its own artifacts, settings and
// checkpoint; bad targets fail in one line with a documented exit code.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { autoencoder, bernoulli, dense, flow, gaussianHead, kl, relu, reparameterise, standardNormal } from '../dsl';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { trainRun } from '../runtime/run/trainRun';
import { runCatalog, VAE_BETAS, VAE_LATENTS } from '../runtime/apps/serve/catalog';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'hourglass.js');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-serve-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hourglass = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};

describe('hourglass serve (default VAE page)', () => {
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += String(d);
        const m = /serving the training page at (\S+)/.exec(out);
        if (m) ok(m[1]);
      });
      child.on('exit', (code) => fail(new Error(`serve exited with ${code}`)));
    });
  });

  afterAll(() => {
    child?.kill('SIGTERM');
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, url), { headers });

  test('every response is cross-origin isolated, with the MIME type its kind needs', async () => {
    const cases: [string, RegExp][] = [
      ['/', /^text\/html/],
      ['/app/main.js', /^text\/javascript/],
      ['/app/main.css', /^text\/css/],
      ['/ort/ort-wasm-simd-threaded.mjs', /^text\/javascript/],
      ['/ort/ort-wasm-simd-threaded.wasm', /^application\/wasm$/],
      ['/api/config', /^application\/json/],
      ['/models/vae-z2-b1/train_step.onnx', /^application\/octet-stream$/],
    ];
    for (const [path, type] of cases) {
      const r = await get(path, path.endsWith('.wasm') ? {} : { 'accept-encoding': 'identity' });
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toMatch(type);
      expect(r.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
      await r.arrayBuffer();
    }
  });

  test('the config lists every precompiled latent × β, and the data set is the embedded digits as f32', async () => {
    const cfg = (await (await get('/api/config')).json()) as { models: { latent: number; beta: number; manifest: string }[]; data: { n: number; shape: number[] } };
    expect(cfg.models.map((m) => `${m.latent}/${m.beta}`).sort()).toEqual(VAE_LATENTS.flatMap((l) => VAE_BETAS.map((b) => `${l}/${b}`)).sort());
    const manifest = (await (await get(cfg.models[0].manifest)).json()) as { codeShape: number[] };
    expect(manifest.codeShape).toEqual([cfg.models[0].latent]);
    const images = new Float32Array(await (await get('/data/images.bin')).arrayBuffer());
    expect(images.length).toBe(cfg.data.n * 784);
    const digits = loadMnistDigits().images;
    expect(Buffer.compare(Buffer.from(images.buffer), Buffer.from(digits.buffer, digits.byteOffset, digits.byteLength))).toBe(0);
  });

  test('answers only to localhost, IP addresses and its own name (no DNS rebinding)', async () => {
    const { port } = new URL(url);
    const withHost = (host: string) =>
      new Promise<number>((ok, fail) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/config', headers: { host } }, (res) => {
          res.resume();
          ok(res.statusCode ?? 0);
        });
        req.on('error', fail);
        req.end();
      });
    for (const host of ['evil.example', `evil.example:${port}`, `attacker.test:${port}`, `127.0.0.1.evil.example:${port}`]) expect(await withHost(host), host).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) expect(await withHost(host), host).toBe(200);
  });

  test('serves nothing outside its table (no files by path, no traversal)', async () => {
    for (const path of ['/package.json', '/ort/../package.json', '/ort/%2e%2e/package.json', '/web/main.ts', '/models/none/manifest.json']) expect((await get(path)).status, path).toBe(404);
    expect((await fetch(new URL('/api/config', url), { method: 'POST' })).status).toBe(405);
  });
});

describe('hourglass serve: targets', () => {
  test('a run directory brings its artifacts, its seed and batch, and its checkpoint', async () => {
    const tiny = autoencoder({
      name: 'tiny_vae',
      input: [784],
      encoder: flow(dense(16), relu, gaussianHead(2)),
      decoder: flow(dense(16), relu, dense(784)),
      likelihood: bernoulli,
    }).objective(({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(2)) }));
    const d = loadMnistDigits();
    const data = { ...d, n: 500, images: d.images.subarray(0, 500 * 784), labels: d.labels?.subarray(0, 500) };
    const dir = join(tmp, 'run');
    const settings = { epochs: 1, batch: 50, lr: 1e-3, seed: 7, optimizer: 'adam' as const, provider: 'cpu' as const, dtype: 'f32' as const, data: 'mnist', checkpointEvery: 100, threads: 1 };
    const r = await trainRun({ model: tiny.def, specPath: 'tiny.ts', dir, data, settings, log: () => undefined });
    expect(E.isRight(r)).toBe(true);
    const c = runCatalog(dir);
    if (E.isLeft(c)) throw new Error(c.left);
    expect(c.right.settings).toEqual({ seed: 7, batch: 50, lr: 1e-3 });
    expect(c.right.checkpoint?.model).toBe('run');
    expect(c.right.models[0].manifest.model).toBe('tiny_vae');
    expect(Object.keys(c.right.models[0].files)).toEqual(expect.arrayContaining(['train_step.onnx', 'evaluate.onnx', 'encode.onnx', 'decode.onnx']));
  });

  test('bad targets and flags fail in one line with documented exit codes', () => {
    const missing = hourglass('serve', join(tmp, 'nowhere'));
    expect(missing.code).toBe(66);
    expect(missing.err).toMatch(/^hourglass: .*nowhere: no such run directory or spec file$/);
    mkdirSync(join(tmp, 'empty'));
    const empty = hourglass('serve', join(tmp, 'empty'));
    expect(empty.code).toBe(65);
    expect(empty.err).toMatch(/^hourglass: .*empty: not a run directory \(no artifacts\/manifest\.json\)$/);
    writeFileSync(join(tmp, 'bad.ts'), 'export default 42;\n');
    const bad = hourglass('serve', join(tmp, 'bad.ts'), '--no-typecheck');
    expect(bad.code).toBe(65);
    expect(bad.err.split('\n')).toHaveLength(1);
    // A usage error: commander reports it (its own exit code, non-zero) and names the option.
    const port = hourglass('serve', '--port', '70000');
    expect(port.code).not.toBe(0);
    expect(port.err).toMatch(/--port.*between 0 and 65535/);
  });
});
