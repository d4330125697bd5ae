// The two onnxruntime bindings Hourglass can load, and where their native libraries live.
// onnxruntime-node 1.30 (the default) ships the CPU and WebGPU providers; the CUDA provider
// library exists for onnxruntime 1.29, so `--provider cuda` loads onnxruntime-node 1.29.0, installed
// under the npm alias onnxruntime-node-cuda. Only one libonnxruntime can live in a process.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BindingName } from './request';

const require = createRequire(import.meta.url);

export const BINDING_PACKAGES: Readonly<Record<BindingName, string>> = {
  default: 'onnxruntime-node',
  cuda: 'onnxruntime-node-cuda',
};

export interface BindingPlace {
  readonly name: BindingName;
  readonly package: string;
  /** The onnxruntime version the package carries. */
  readonly version: string;
  /** The folder of libonnxruntime.so and its provider libraries on this platform. */
  readonly libDir: string;
}

/** Where a binding is installed, or why it is not. */
export const locateBinding = (name: BindingName): BindingPlace | string => {
  const pkg = BINDING_PACKAGES[name];
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    return `the npm package ${pkg} is not installed (run npm install)`;
  }
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const libDir = join(dirname(manifest), 'bin', 'napi-v6', process.platform, process.arch);
  if (!existsSync(libDir)) return `${pkg} ${version} has no native build for ${process.platform}/${process.arch}`;
  return { name, package: pkg, version, libDir };
};

export const loadBinding = <T>(name: BindingName): T => require(BINDING_PACKAGES[name]) as T;
