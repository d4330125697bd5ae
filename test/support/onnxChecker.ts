// Debian's python3-onnx checker: an independent validator of every artifact we emit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// HOURGLASS_ONNX_PYTHON: another Python with the onnx package, where Debian's python3-onnx is absent.
const PYTHON = process.env.HOURGLASS_ONNX_PYTHON ?? '/usr/bin/python3';

const SCRIPT = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
print("ok", len(sys.argv) - 1)
`;

/** Why the checker cannot run here, or null when it can. */
export const checkerUnavailable = (): string | null => {
  const r = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  return r.status === 0 ? null : `python3-onnx is not installed (apt-get install python3-onnx): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
};

/** Run onnx.checker.check_model(full_check=True) on each model; returns the checker's error text or null. */
export const checkModels = (models: Record<string, Uint8Array>): string | null => {
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-check-'));
  try {
    const paths = Object.entries(models).map(([name, bytes]) => {
      const p = join(dir, name.replace(/[^A-Za-z0-9_.-]/g, '_'));
      writeFileSync(p, bytes);
      return p;
    });
    const r = spawnSync(PYTHON, ['-c', SCRIPT, ...paths], { encoding: 'utf8' });
    return r.status === 0 ? null : (r.stderr || r.stdout).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
