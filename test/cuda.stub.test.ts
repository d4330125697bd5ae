// The CUDA provider library, loaded against stub CUDA libraries built here with gcc: it links,
// initialises, and stops only at device selection (cudaSetDevice → "no CUDA-capable device"),
// which shows the pinned build, its placement beside onnxruntime-node 1.29 and the binding choice
// work end to end without a GPU. Needs `npm run setup:cuda` (CI runs it) and gcc.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { locateBinding } from '../runtime/host/providers/bindings';
import { providerPlacement } from '../runtime/host/providers/cudaPackage';
import { probeBinding } from '../runtime/host/providers/doctor';
import { buildCudaStubs, STUB_MESSAGE } from './support/cudaStubs';

const repo = resolve(__dirname, '..');
const binding = locateBinding('cuda');
const placement = typeof binding === 'string' ? null : providerPlacement(binding.libDir);
const tools = ['gcc', 'readelf'].filter((t) => spawnSync(t, ['--version']).status !== 0);
const why =
  typeof binding === 'string'
    ? binding
    : placement?.route === 'hourglass' || placement?.route === 'other'
      ? tools.length > 0
        ? `${tools.join(' and ')} not installed`
        : null
      : 'the CUDA provider is not set up here (npm run setup:cuda places it; .ci/run does)';
if (why) console.warn(`cuda.stub.test skipped: ${why}`);

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-cuda-stubs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(why !== null)('the CUDA provider against stub CUDA libraries', () => {
  const libDir = typeof binding === 'string' ? '' : binding.libDir;
  const stubs = join(tmp, 'lib');
  const env = () => ({ ...process.env, LD_LIBRARY_PATH: [stubs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') });

  test('stubs for every CUDA library the provider needs, exporting each symbol it imports', () => {
    mkdirSync(stubs, { recursive: true });
    const built = buildCudaStubs(join(libDir, 'libonnxruntime_providers_cuda.so'), stubs);
    expect(built.sort()).toEqual(['libcublas.so.13', 'libcublasLt.so.13', 'libcuda.so.1', 'libcudart.so.13', 'libcurand.so.10']);
  });

  test('the provider loads and fails only at device selection', () => {
    const r = probeBinding('onnxruntime-node-cuda', ['cuda'], env());
    expect(r.loadError).toBeUndefined();
    const cuda = r.providers.cuda;
    expect(cuda.ok).toBe(false);
    expect(cuda.error).not.toMatch(/cannot open shared object|Failed to load/);
    expect(cuda.error).toContain(`CUDA failure 100: ${STUB_MESSAGE}`);
    expect(cuda.error).toMatch(/cudaSetDevice|cudaGetDeviceCount/);
  });

  test('through the CLI: one line with the device failure, exit 69', () => {
    const out = join(tmp, 'run');
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'hourglass.js'), 'train', join(repo, 'examples', 'linear-ae.ts'), '--data', 'mnist', '--out', out, '--provider', 'cuda', '--no-typecheck'], {
      cwd: repo,
      encoding: 'utf8',
      env: env(),
    });
    const err = r.stderr.trim();
    expect(r.status, err).toBe(69);
    expect(err.split('\n')).toHaveLength(1);
    // Where the CUDA libraries are installed the message names no missing library, so no prefix is asserted.
    expect(err).toContain(`CUDA failure 100: ${STUB_MESSAGE} (at cudaSetDevice(info_.device_id))`);
  });
});
