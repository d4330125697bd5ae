// `--provider cuda` and `hourglass doctor` through the real CLI, on a machine without a usable GPU:
// one line naming what is missing and exit 69, no run directory left behind; `cuda,cpu` falls
// back as asked; doctor's JSON has the documented shape and tells the no-GPU facts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeNpy } from '../runtime/host/data/npy';
import type { DoctorReport } from '../runtime/host/providers/doctor';
import { gpuFacts } from '../runtime/host/providers/gpus';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'hourglass.js');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-cuda-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hourglass = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};

const spec = join(tmp, 'tiny.ts');
writeFileSync(
  spec,
  `import { autoencoder, bernoulli, dense, flow, relu } from '${join(repo, 'dsl')}';
export default autoencoder({ name: 'tiny', input: [16], encoder: flow(dense(4), relu, dense(2)), decoder: flow(dense(4), relu, dense(16)), likelihood: bernoulli })
  .objective(({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) }));\n`,
);
const data = join(tmp, 'rows.npy');
writeFileSync(data, encodeNpy(Float32Array.from({ length: 64 * 16 }, (_, i) => (i * 7) % 16 / 16), [64, 16]));

const gpus = gpuFacts().gpus.length;
if (gpus > 0) console.warn(`cuda.cli.test: the no-GPU tests are skipped: nvidia-smi lists ${gpus} GPU(s) here (scripts/gpu-check.sh covers this machine)`);

describe.skipIf(gpus > 0)('--provider cuda without a GPU', () => {
  test('fails with one line naming what is missing and how to install it, exit 69, and writes nothing', () => {
    const out = join(tmp, 'run-cuda');
    const r = hourglass(['train', spec, '--data', data, '--out', out, '--epochs', '1', '--batch', '16', '--provider', 'cuda', '--no-typecheck']);
    expect(r.code, r.err).toBe(69);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^hourglass: provider cuda is unavailable: /);
    expect(r.err).toMatch(/to fix: (npm run setup:cuda|npm install|python3 -m pip install|export LD_LIBRARY_PATH=|install the NVIDIA driver)/);
    expect(r.err).toContain('--provider cuda,cpu');
    expect(existsSync(out)).toBe(false);
  });

  test('cuda,cpu asks for the fallback: a note, then the run on the CPU', () => {
    const out = join(tmp, 'run-fallback');
    const r = hourglass(['train', spec, '--data', data, '--out', out, '--epochs', '1', '--batch', '16', '--provider', 'cuda,cpu', '--no-typecheck']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/provider cuda could not load \(.*\); falling back to cpu as asked/);
    expect(existsSync(join(out, 'metrics.jsonl'))).toBe(true);
  });

  test('encode, reconstruct and sample take --provider too: on the trained run, cuda fails the same way, exit 69', () => {
    const run = join(tmp, 'run-fallback');
    for (const args of [
      ['sample', run, '--out', join(tmp, 's.npy')],
      ['encode', run, '--data', data, '--out', join(tmp, 'c.npy')],
      ['reconstruct', run, '--data', data, '--out', join(tmp, 'r.npy')],
    ]) {
      const r = hourglass([...args, '--provider', 'cuda']);
      expect(r.code, r.err).toBe(69);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^hourglass: provider cuda is unavailable: /);
    }
    expect(hourglass(['sample', run, '--out', join(tmp, 's.npy'), '--provider', 'cuda,cpu']).code).toBe(0);
  });

  test('doctor --json: both bindings probed, the CUDA facts, not ready, each missing piece with its fix', () => {
    const r = hourglass(['doctor', '--json']);
    expect(r.code, r.err).toBe(0);
    const d = JSON.parse(r.out) as DoctorReport;
    expect(d.platform).toBe(`${process.platform}/${process.arch}`);
    expect(d.bindings.map((b) => [b.name, b.package])).toEqual([
      ['default', 'onnxruntime-node'],
      ['cuda', 'onnxruntime-node-cuda'],
    ]);
    const [def, cuda] = d.bindings;
    expect(def.version).toMatch(/^1\.30\./);
    expect(def.probe?.providers.cpu).toEqual({ ok: true });
    expect(cuda.version).toBe('1.29.0');
    expect(cuda.probe?.providers.cpu).toEqual({ ok: true });
    expect(cuda.probe?.providers.cuda?.ok).toBe(false);
    expect(typeof cuda.probe?.providers.cuda?.error).toBe('string');
    expect(cuda.probe?.backends?.map((b) => b.name)).toContain('cuda');
    expect(['hourglass', 'other', 'missing', 'partial']).toContain(d.cudaProvider.route);
    expect(d.cudaProvider.files.map((f) => f.name).sort()).toEqual(['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']);
    expect(d.cudaLibraries.map((l) => l.soname)).toEqual(['libcuda.so.1', 'libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libcurand.so.10', 'libcudnn.so.9']);
    for (const l of d.cudaLibraries) expect(l.found).toBe(l.places.length > 0);
    expect(d.gpus.gpus).toEqual([]);
    expect(d.cuda.ready).toBe(false);
    expect(d.cuda.missing.length).toBeGreaterThan(0);
    for (const m of d.cuda.missing) expect([typeof m.what, typeof m.fix]).toEqual(['string', 'string']);
  });

  test('doctor in words ends with what --provider cuda still needs', () => {
    const r = hourglass(['doctor']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('onnxruntime-node-cuda 1.29.0');
    expect(r.out).toContain('--provider cuda: not ready');
  });
});

test('bad flags: an unknown provider is named; --from without --install-cuda is a usage error', () => {
  const bad = hourglass(['train', spec, '--data', data, '--out', join(tmp, 'x'), '--provider', 'cuda,tpu']);
  expect(bad.code).not.toBe(0);
  expect(bad.err).toContain('unknown provider "tpu"');
  const from = hourglass(['doctor', '--from', 'x.tgz']);
  expect(from.code).toBe(2);
  expect(from.err).toBe('hourglass: --from and --force go with --install-cuda');
});
