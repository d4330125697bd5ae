// The provider request, the binding choice, and the facts `hourglass doctor` reads (ldconfig,
// nvidia-smi, where CUDA libraries lie), as pure functions; the setup's refusals on a scratch folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { CliError } from '../runtime/core/failure';
import { CUDA_LIBRARIES, findLibrary, loadable, parseLdconfig, pipCommand, suggestedLdLibraryPath } from '../runtime/host/providers/cudaLibraries';
import { CUDA_PROVIDER_FILES, providerPlacement } from '../runtime/host/providers/cudaPackage';
import { type CudaFacts, cudaMissing } from '../runtime/host/providers/cudaReadiness';
import { parseGpus } from '../runtime/host/providers/gpus';
import { parsePlacements } from '../runtime/host/providers/placement';
import { ortReason } from '../runtime/host/providers/ortReason';
import { bindingFor, parseProviders, PROVIDERS, providerArgument } from '../runtime/host/providers/request';
import { setupCuda } from '../runtime/host/providers/setupCuda';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-providers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const requests = fc.uniqueArray(fc.constantFrom(...PROVIDERS), { minLength: 1, maxLength: 3 });

describe('--provider', () => {
  fcTest.prop([requests])('a list of distinct providers parses back to itself', (ps) => {
    expect(parseProviders(ps.join(','))).toEqual(E.right(ps));
  });
  fcTest.prop([requests, fc.nat()])('naming a provider twice is refused', (ps, i) => {
    const r = parseProviders([...ps, ps[i % ps.length]].join(','));
    expect(E.isLeft(r) && r.left).toMatch(/twice/);
  });
  fcTest.prop([requests, fc.string({ minLength: 1 }).filter((s) => !(PROVIDERS as readonly string[]).includes(s.trim()) && !s.includes(','))])(
    'an unknown name is refused and named',
    (ps, bad) => {
      const r = parseProviders([...ps, bad].join(','));
      expect(E.isLeft(r) && r.left).toContain(JSON.stringify(bad.trim()));
    },
  );
  fcTest.prop([requests])('only a request that names cuda loads the CUDA binding', (ps) => {
    expect(bindingFor(ps)).toBe(ps.includes('cuda') ? 'cuda' : 'default');
  });
  fcTest.prop([fc.array(fc.constantFrom('train', 'x.ts', '--epochs', '3', '--data', 'mnist')), fc.array(fc.constantFrom('--out', 'r', '--fuse', '4')), fc.constantFrom('cuda', 'cuda,cpu', 'cpu'), fc.boolean()])(
    'the command line names the provider as --provider x or --provider=x; nothing after -- counts',
    (before, after, value, joined) => {
      const flag = joined ? [`--provider=${value}`] : ['--provider', value];
      expect(providerArgument([...before, ...flag, ...after])).toBe(value);
      expect(providerArgument([...before, '--', ...flag])).toBeUndefined();
    },
  );
});

describe('what doctor reads', () => {
  test('ldconfig -p: the first 64-bit entry of each soname', () => {
    const text = [
      '123 libs found in cache `/etc/ld.so.cache\'',
      '\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so.13',
      '\tlibcudart.so.13 (libc6) => /usr/lib32/libcudart.so.13',
      '\tlibcuda.so.1 (libc6,x86-64, OS ABI: Linux 2.6.32) => /usr/lib/x86_64-linux-gnu/libcuda.so.1',
      '\tlibcuda.so.1 (libc6,x86-64) => /elsewhere/libcuda.so.1',
    ].join('\n');
    const m = parseLdconfig(text);
    expect(m.get('libcudart.so.13')).toBe('/usr/local/cuda-13.0/lib/libcudart.so.13');
    expect(m.get('libcuda.so.1')).toBe('/usr/lib/x86_64-linux-gnu/libcuda.so.1');
    expect(m.size).toBe(2);
  });

  test('nvidia-smi CSV: one GPU per line, other lines ignored', () => {
    const gpus = parseGpus('0, NVIDIA H200, 143771, 580.159.03, 9.0\n1, NVIDIA H200, 143771, 580.159.03, 9.0\nNo devices were found\n');
    expect(gpus).toEqual([
      { index: 0, name: 'NVIDIA H200', memoryMiB: 143771, driver: '580.159.03', computeCapability: '9.0' },
      { index: 1, name: 'NVIDIA H200', memoryMiB: 143771, driver: '580.159.03', computeCapability: '9.0' },
    ]);
    expect(parseGpus('No devices were found')).toEqual([]);
  });

  test('a library found only in a wheel folder is found but not loadable, and the suggested LD_LIBRARY_PATH reaches it', () => {
    const wheel = join(tmp, 'site-packages', 'nvidia', 'cu13', 'lib');
    const onPath = join(tmp, 'on-path');
    for (const [d, f] of [[wheel, 'libcublas.so.13'], [onPath, 'libcudart.so.13']] as const) {
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, f), '');
    }
    const roots = { ldLibraryPath: [onPath], ldconfig: new Map<string, string>(), systemDirs: [], wheelDirs: [wheel] };
    const cublas = findLibrary('libcublas.so.13', roots);
    const cudart = findLibrary('libcudart.so.13', roots);
    const curand = findLibrary('libcurand.so.10', roots);
    expect(cublas.places).toEqual([{ path: join(wheel, 'libcublas.so.13'), where: 'python-wheel' }]);
    expect([loadable(cublas), loadable(cudart), loadable(curand)]).toEqual([false, true, false]);
    expect(suggestedLdLibraryPath([cublas, cudart, curand], [onPath])).toBe(`${wheel}:${onPath}`);
    expect(suggestedLdLibraryPath([cudart, curand], [onPath])).toBeNull();
  });

  test('the pip command names each wheel once, the driver never', () => {
    const cmd = pipCommand(CUDA_LIBRARIES);
    expect(cmd).toBe("python3 -m pip install 'nvidia-cuda-runtime==13.*' 'nvidia-cublas==13.*' 'nvidia-curand>=10.4' 'nvidia-cudnn-cu13==9.*'");
    expect(pipCommand(CUDA_LIBRARIES.filter((l) => l.wheel === null))).toBeNull();
  });

  test("onnxruntime's reasons keep what a user can act on", () => {
    const cudaFailure =
      '/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:154 std::conditional_t<THRW, void, onnxruntime::common::Status> onnxruntime::CudaCall(ERRTYPE, const char*) [with ERRTYPE = cudaError; bool THRW = true] CUDA failure 100: no CUDA-capable device is detected ; GPU=-1 ; hostname=vm ; file=/onnxruntime_src/x.cc ; line=345 ; expr=cudaSetDevice(info_.device_id); ';
    expect(ortReason(cudaFailure)).toBe('CUDA failure 100: no CUDA-capable device is detected (at cudaSetDevice(info_.device_id))');
    const load = '/onnxruntime_src/provider_bridge_ort.cc:1988 [ONNXRuntimeError] : 1 : FAIL : Failed to load library /a/b/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory';
    expect(ortReason(load)).toBe('cannot load libonnxruntime_providers_cuda.so: libcublasLt.so.13: cannot open shared object file: No such file or directory');
    expect(ortReason('plain\nsecond line')).toBe('plain');
    const enforce = '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const Config&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters';
    expect(ortReason(enforce)).toBe('Failed to get a WebGPU adapter: No supported adapters');
  });
});

test("onnxruntime's node placement log: counts per provider and the nodes it lists, per graph", () => {
  const v = (msg: string) => `2026-11-30 13:59:16.646 [V:onnxruntime:, session_state.cc:1381 VerifyEachNodeIsAssignedToAnEp] ${msg}`;
  const log = [
    '2026-11-30 13:59:16.600 [I:onnxruntime:, inference_session.cc:1765 TransformGraph] Running graph optimizations',
    v('Node placements').replace(/\] .*/, '] Node placements'),
    v(' Node(s) placed on [CUDAExecutionProvider]. Number of nodes: 2'),
    v('  MatMul (matmul_1)'),
    v('  Add (add_2)'),
    v(' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 1'),
    v('  Shape (shape_0)'),
    '2026-11-30 13:59:16.700 [I:onnxruntime:, inference_session.cc:2000 Initialize] Session successfully initialized.',
    v('Node placements').replace(/\] .*/, '] Node placements'),
    v(' All nodes placed on [CUDAExecutionProvider]. Number of nodes: 7'),
  ].join('\n');
  expect(parsePlacements(log)).toEqual([
    { counts: { CUDAExecutionProvider: 2, CPUExecutionProvider: 1 }, nodes: { CUDAExecutionProvider: ['MatMul (matmul_1)', 'Add (add_2)'], CPUExecutionProvider: ['Shape (shape_0)'] } },
    { counts: { CUDAExecutionProvider: 7 }, nodes: {} },
  ]);
  expect(parsePlacements('no placements logged')).toEqual([]);
});

describe('what --provider cuda still needs, in order', () => {
  const libs = (found: readonly string[], wheelOnly: readonly string[] = []) =>
    CUDA_LIBRARIES.map((l) => ({
      soname: l.soname,
      places: found.includes(l.soname) ? [{ path: `/usr/lib/${l.soname}`, where: 'loader-path' as const }] : wheelOnly.includes(l.soname) ? [{ path: `/py/nvidia/x/lib/${l.soname}`, where: 'python-wheel' as const }] : [],
    }));
  const all = CUDA_LIBRARIES.map((l) => l.soname);
  const ready: CudaFacts = {
    platform: 'linux/x64',
    binding: { name: 'cuda', package: 'onnxruntime-node-cuda', version: '1.29.0', libDir: '/b' },
    placement: { libDir: '/b', route: 'hourglass', files: CUDA_PROVIDER_FILES.map((f) => ({ name: f.name, present: true })) },
    libraries: libs(all),
    ldLibraryPath: [],
    gpus: { nvidiaSmi: 'nvidia-smi', gpus: [{ index: 0, name: 'NVIDIA H200', memoryMiB: 143771, driver: '580', computeCapability: '9.0' }] },
  };

  test('nothing when everything is there', () => expect(cudaMissing(ready)).toEqual([]));
  test('each missing piece comes with its fix', () => {
    expect(cudaMissing({ ...ready, binding: 'the npm package onnxruntime-node-cuda is not installed (run npm install)', placement: null })[0].fix).toMatch(/^npm install/);
    expect(cudaMissing({ ...ready, placement: { libDir: '/b', route: 'missing', files: CUDA_PROVIDER_FILES.map((f) => ({ name: f.name, present: false })) } })[0].fix).toBe('npm run setup:cuda');
    expect(cudaMissing({ ...ready, libraries: libs(all.filter((s) => s !== 'libcuda.so.1')) })[0].what).toMatch(/driver/);
    const noCudnn = cudaMissing({ ...ready, libraries: libs(all.filter((s) => s !== 'libcudnn.so.9')) });
    expect(noCudnn).toHaveLength(1);
    expect(noCudnn[0].fix).toContain("'nvidia-cudnn-cu13==9.*'");
    const inWheels = cudaMissing({ ...ready, libraries: libs(['libcuda.so.1'], all.slice(1)) });
    expect(inWheels).toHaveLength(1);
    expect(inWheels[0].fix).toBe('export LD_LIBRARY_PATH=/py/nvidia/x/lib');
    expect(cudaMissing({ ...ready, gpus: { nvidiaSmi: 'nvidia-smi', gpus: [], error: 'No devices were found' } })[0].what).toMatch(/no GPU/);
    expect(cudaMissing({ ...ready, platform: 'darwin/arm64' })).toHaveLength(1);
  });
});

describe('setup:cuda refuses before it writes', () => {
  const catchCli = (f: () => unknown): CliError => {
    try {
      f();
    } catch (err) {
      if (err instanceof CliError) return err;
      throw err;
    }
    throw new Error('expected a CliError');
  };
  test('a provider library it did not place stays, unless --force (exit 73)', () => {
    const dir = mkdtempSync(join(tmp, 'lib-'));
    writeFileSync(join(dir, 'libonnxruntime_providers_cuda.so'), 'someone else’s build');
    const e = catchCli(() => setupCuda({ libDir: dir, tarball: join(tmp, 'none.tgz'), log: () => {} }));
    expect(e.exitCode).toBe(73);
    expect(e.message).toMatch(/not placed by Hourglass/);
    expect(providerPlacement(dir).route).toBe('partial');
  });
  test('a tarball that is not the pinned package is refused by its sha512 (exit 65); a missing one is named (exit 66)', () => {
    const dir = mkdtempSync(join(tmp, 'lib-'));
    const fake = join(tmp, 'fake.tgz');
    writeFileSync(fake, 'not the package');
    const e = catchCli(() => setupCuda({ libDir: dir, tarball: fake, log: () => {} }));
    expect(e.exitCode).toBe(65);
    expect(e.message).toMatch(/sha512/);
    expect(catchCli(() => setupCuda({ libDir: dir, tarball: join(tmp, 'absent.tgz'), log: () => {} })).exitCode).toBe(66);
    expect(providerPlacement(dir).route).toBe('missing');
  });
});
