// The CUDA provider libraries for onnxruntime 1.29.0, pinned. onnxruntime-node's npm tarball
// carries no CUDA provider (its install script fetches one from NuGet, a feed many machines cannot
// reach); the npm package below repackages onnxruntime's own linux-x64-gpu 1.29.0 release (built
// against CUDA 13 and cuDNN 9) for Unity. We take two files from it, each checked against the
// SHA-256 recorded here, and place them beside onnxruntime-node 1.29's libonnxruntime.so, where
// onnxruntime looks for provider libraries. docs/cuda.md has the provenance and the official route.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

export const CUDA_PROVIDER_PACKAGE = {
  name: 'com.github.asus4.onnxruntime.linux-x64-gpu',
  version: '0.4.9',
  /** The registry's sha512 of the tarball, as npm checks it. */
  integrity: 'sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w==',
  onnxruntime: '1.29.0',
  cuda: '13',
} as const;

export interface PinnedFile {
  readonly name: string;
  readonly pathInPackage: string;
  readonly bytes: number;
  readonly sha256: string;
}

export const CUDA_PROVIDER_FILES: readonly PinnedFile[] = [
  {
    name: 'libonnxruntime_providers_shared.so',
    pathInPackage: 'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so',
    bytes: 14_632,
    sha256: 'c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772',
  },
  {
    name: 'libonnxruntime_providers_cuda.so',
    pathInPackage: 'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so',
    bytes: 229_780_440,
    sha256: '56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037',
  },
];

/** Written beside the libraries Hourglass placed; setup replaces only files it lists. */
export const MARKER = 'hourglass-cuda-provider.json';

export interface Marker {
  readonly package: string;
  readonly version: string;
  /** name → sha256 of what was placed (a carried, trimmed build has its own hashes). */
  readonly files: Readonly<Record<string, string>>;
  readonly trimmedTo?: string;
}

export const sha256File = (path: string): string => {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
};

export const readMarker = (libDir: string): Marker | null => {
  const p = join(libDir, MARKER);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Marker;
  } catch {
    return null;
  }
};

export type Route = 'hourglass' | 'other' | 'missing' | 'partial';

export interface Placement {
  readonly libDir: string;
  /** hourglass: our setup placed them (marker); other: present without our marker (for example
   * onnxruntime-node's own install script); partial: some missing; missing: none there. */
  readonly route: Route;
  readonly files: readonly { readonly name: string; readonly present: boolean; readonly sha256?: string; readonly verified?: boolean }[];
}

/** Which provider libraries sit beside libonnxruntime.so; `hash` also checks their SHA-256. */
export const providerPlacement = (libDir: string, hash = false): Placement => {
  const marker = readMarker(libDir);
  const files = CUDA_PROVIDER_FILES.map((f) => {
    const p = join(libDir, f.name);
    const present = existsSync(p) && lstatSync(p).isFile();
    if (!present || !hash) return { name: f.name, present };
    const sha256 = sha256File(p);
    return { name: f.name, present, sha256, verified: sha256 === f.sha256 || marker?.files[f.name] === sha256 };
  });
  const n = files.filter((f) => f.present).length;
  const route: Route = n === 0 ? 'missing' : n < files.length ? 'partial' : marker ? 'hourglass' : 'other';
  return { libDir, route, files };
};
