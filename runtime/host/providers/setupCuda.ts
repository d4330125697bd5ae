// `npm run setup:cuda` / `hourglass doctor --install-cuda`: fetch the pinned CUDA provider package
// through npm (or take a tarball already on disk), check the tarball's sha512 and each library's
// SHA-256, and place the libraries beside onnxruntime-node 1.29's libonnxruntime.so. Never part of
// the default install. Replaces only files it placed itself (its marker lists them).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../../core/failure';
import { locateBinding } from './bindings';
import { CUDA_PROVIDER_FILES, CUDA_PROVIDER_PACKAGE, MARKER, type Marker, readMarker, sha256File } from './cudaPackage';

export interface SetupOptions {
  /** A copy of the package's .tgz already on disk (machines without the npm registry). */
  readonly tarball?: string;
  /** Replace provider libraries that some other route placed. */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
  /** Where to place them (default: beside onnxruntime-node-cuda's libonnxruntime.so). */
  readonly libDir?: string;
}

const spec = `${CUDA_PROVIDER_PACKAGE.name}@${CUDA_PROVIDER_PACKAGE.version}`;

export const sha512Integrity = (path: string): string => `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;

/** npm pack: the ordinary npm client, its cache and its registry settings. */
const npmPack = (dest: string): string => {
  const r = spawnSync('npm', ['pack', spec, '--pack-destination', dest, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new CliError(`npm pack ${spec} failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`, EXIT.unavailable);
  const tgz = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new CliError(`npm pack ${spec} wrote no tarball`, EXIT.unavailable);
  return join(dest, tgz);
};

/** Copy `from` to `to` through a temporary file created exclusively, then rename; never through a link. */
const place = (from: string, to: string) => {
  if (existsSync(to) && lstatSync(to).isSymbolicLink()) throw new CliError(`${to}: is a symbolic link; not replacing it`, EXIT.cantCreate);
  const tmp = `${to}.hourglass-${process.pid}.tmp`;
  copyFileSync(from, tmp, constants.COPYFILE_EXCL);
  try {
    renameSync(tmp, to);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
};

const writeMarker = (libDir: string, m: Marker) => {
  const to = join(libDir, MARKER);
  const tmp = `${to}.hourglass-${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`, { flag: 'wx' });
  renameSync(tmp, to);
};

export interface SetupResult {
  readonly libDir: string;
  readonly placed: readonly string[];
  readonly alreadyThere: readonly string[];
}

const cudaBindingDir = (): string => {
  const binding = locateBinding('cuda');
  if (typeof binding === 'string') throw new CliError(`${binding}; the CUDA provider goes beside its libonnxruntime.so`, EXIT.unavailable);
  if (binding.version !== CUDA_PROVIDER_PACKAGE.onnxruntime) {
    throw new CliError(`onnxruntime-node-cuda is ${binding.version}, the provider libraries are for ${CUDA_PROVIDER_PACKAGE.onnxruntime} (run npm ci)`, EXIT.unavailable);
  }
  return binding.libDir;
};

export const setupCuda = (o: SetupOptions = {}): SetupResult => {
  const log = o.log ?? ((line: string) => console.error(line));
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new CliError(`the CUDA provider package is built for linux/x64, not ${process.platform}/${process.arch}`, EXIT.unavailable);
  const libDir = o.libDir ?? cudaBindingDir();
  const marker = readMarker(libDir);
  const pending = CUDA_PROVIDER_FILES.filter((f) => !(existsSync(join(libDir, f.name)) && sha256File(join(libDir, f.name)) === f.sha256));
  const alreadyThere = CUDA_PROVIDER_FILES.filter((f) => !pending.includes(f)).map((f) => f.name);
  if (pending.length === 0) {
    log(`the CUDA provider libraries are already in ${libDir} (SHA-256 checked)`);
    return { libDir, placed: [], alreadyThere };
  }
  for (const f of pending) {
    const to = join(libDir, f.name);
    if (existsSync(to) && !marker?.files[f.name] && !o.force) {
      throw new CliError(`${to}: present but not placed by Hourglass and not the pinned build (pass --force to replace it)`, EXIT.cantCreate);
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'hourglass-cuda-'));
  try {
    let tgz = o.tarball;
    if (!tgz) {
      log(`fetching ${spec} (≈ 180 MB) with npm pack…`);
      tgz = npmPack(work);
    } else if (!existsSync(tgz)) throw new CliError(`${tgz}: no such file`, EXIT.noInput);
    const integrity = sha512Integrity(tgz);
    if (integrity !== CUDA_PROVIDER_PACKAGE.integrity) throw new CliError(`${tgz}: sha512 ${integrity} is not the pinned ${spec} (${CUDA_PROVIDER_PACKAGE.integrity})`, EXIT.dataErr);
    const r = spawnSync('tar', ['-xzf', tgz, '-C', work, ...pending.map((f) => f.pathInPackage)], { encoding: 'utf8' });
    if (r.status !== 0) throw new CliError(`${tgz}: tar could not extract the provider libraries: ${(r.stderr || String(r.error)).trim().split('\n')[0]}`, EXIT.dataErr);
    for (const f of pending) {
      const got = sha256File(join(work, f.pathInPackage));
      if (got !== f.sha256) throw new CliError(`${f.pathInPackage}: SHA-256 ${got}, expected ${f.sha256}`, EXIT.dataErr);
    }
    // The marker first: should placing stop halfway, the next run still knows these files are ours.
    writeMarker(libDir, { package: CUDA_PROVIDER_PACKAGE.name, version: CUDA_PROVIDER_PACKAGE.version, files: Object.fromEntries(CUDA_PROVIDER_FILES.map((f) => [f.name, f.sha256])) });
    for (const f of pending) place(join(work, f.pathInPackage), join(libDir, f.name));
    log(`placed ${pending.map((f) => f.name).join(', ')} in ${libDir} (SHA-256 checked)`);
    return { libDir, placed: pending.map((f) => f.name), alreadyThere };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};
