// The layer rule of docs/layout.md, as facts the tests check: dependency-cruiser's forbidden rules
// (.dependency-cruiser.cjs: one-way layers, no cycles with type-only imports counted, dsl/compiler
// below the runtime) hold on the tree and refuse a planted upward import; the portable modules
// (tsconfig.portable.json: runtime/core, the portable analysis files, web/) compile without Node's
// types and a planted `process.argv` does not.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(__dirname, '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

const cruise = (cwd: string, paths: readonly string[]): { modules: number; violations: readonly Violation[] } => {
  const r = spawnSync(bin('depcruise'), ['--config', CONFIG, '--output-type', 'json', ...paths], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.stdout === '') throw new Error(`depcruise printed nothing: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { summary: { totalCruised: number; violations: Violation[] } };
  return { modules: out.summary.totalCruised, violations: out.summary.violations };
};

const tsc = (project: string) => spawnSync(bin('tsc'), ['--noEmit', '-p', project], { cwd: ROOT, encoding: 'utf8' });

describe('the layer rule', () => {
  test('holds on the tree: no upward import, no cycle (type-only included)', () => {
    const r = cruise(ROOT, ['index.ts', 'dsl', 'compiler', 'runtime', 'web', 'examples', 'bench']);
    expect(r.modules).toBeGreaterThan(200);
    expect(r.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });

  test('refuses a planted upward import (runtime/core → runtime/cli)', () => {
    const r = cruise(join(ROOT, 'test/fixtures/layers'), ['runtime']);
    expect(r.violations).toEqual([
      expect.objectContaining({ from: 'runtime/core/planted.ts', to: 'runtime/cli/flags.ts', rule: expect.objectContaining({ name: 'core-imports-upward' }) }),
    ]);
  });
});

describe('the portable modules', () => {
  test('compile without Node types', () => {
    const r = tsc('tsconfig.portable.json');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('a planted process.argv does not compile under their tsconfig', () => {
    const r = tsc('test/fixtures/portable/tsconfig.json');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/planted\.ts\(\d+,\d+\): error TS2591: Cannot find name 'process'/);
  });
});
