// The bench's Python environment for the modern peers (torch 2.x, jax, optax): a venv cached
// outside the repository, installed once from the machine's pip configuration (here a local
// wheel index, so offline). Built in a temporary folder and renamed into place when it imports,
// so an interrupted install never leaves a half-made venv behind.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Written into every venv the bench creates: only such a folder is ever removed. */
const MARKER = '.hourglass-bench-venv';
export const PEER_PACKAGES = ['torch>=2', 'jax', 'jaxlib', 'optax'];

export const venvDir = (): string =>
  process.env.HOURGLASS_BENCH_VENV ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hourglass', 'bench-venv');

const imports = (python: string): boolean =>
  spawnSync(python, ['-c', 'import torch, jax, optax'], { encoding: 'utf8', timeout: 120_000 }).status === 0;

/** A Python 3 that can make venvs: HOURGLASS_BENCH_PYTHON, else the first that works. */
const basePythons = (): string[] => [process.env.HOURGLASS_BENCH_PYTHON, 'python3.11', 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);

export type Venv = { readonly python: string } | { readonly error: string };

/** The venv's python, creating the venv first if needed (minutes, once); or why it cannot be had. */
export const benchVenv = (say: (line: string) => void): Venv => {
  const dir = venvDir();
  const python = join(dir, 'bin', 'python');
  if (existsSync(python) && imports(python)) return { python };
  if (existsSync(dir) && !existsSync(join(dir, MARKER)))
    return { error: `${dir} exists but was not made by the bench (no ${MARKER}); remove it or set HOURGLASS_BENCH_VENV` };
  const tmp = `${dir}.tmp-${process.pid}`;
  const problems: string[] = [];
  for (const base of basePythons()) {
    rmSync(tmp, { recursive: true, force: true });
    const made = spawnSync(base, ['-m', 'venv', tmp], { encoding: 'utf8' });
    if (made.status !== 0) {
      problems.push(`${base} -m venv: ${(made.stderr || made.error?.message || '').trim().split('\n').pop()}`);
      continue;
    }
    writeFileSync(join(tmp, MARKER), 'created by hourglass npm run bench\n', { flag: 'wx' });
    say(`creating the peers' venv ${dir} with ${base}: pip install ${PEER_PACKAGES.join(' ')} (from pip's configured index; minutes, once)`);
    const pip = spawnSync(join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', ...PEER_PACKAGES], {
      encoding: 'utf8',
      timeout: 30 * 60_000,
    });
    if (pip.status !== 0 || !imports(join(tmp, 'bin', 'python'))) {
      problems.push(`pip install with ${base}: ${(pip.stderr || pip.error?.message || 'imports fail').trim().split('\n').slice(-2).join(' ')}`);
      rmSync(tmp, { recursive: true, force: true });
      continue;
    }
    rmSync(dir, { recursive: true, force: true }); // ours (marker checked above), and broken
    renameSync(tmp, dir);
    return { python };
  }
  return { error: `no venv with torch 2, jax and optax could be made: ${problems.join('; ') || 'no python3 found'}` };
};
