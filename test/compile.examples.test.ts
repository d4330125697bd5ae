// `hourglass compile` on every spec in examples/: each writes its artifacts and one manifest (a GAN
// spec both players' steps and the generator's graph), and every artifact passes Debian's
// onnx.checker with full_check. The specs are type-checked by `tsc -p .` (tsconfig includes
// examples/), so the compile runs here skip that step to stay quick.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hourglass, repo } from './support/cliHarness';
import { checkerUnavailable, checkModels } from './support/onnxChecker';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-compile-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const specs = readdirSync(join(repo, 'examples')).filter((f) => f.endsWith('.ts'));
const GANS = ['gan.ts', 'dcgan.ts', 'digits-gan.ts'];
const noChecker = checkerUnavailable();
if (noChecker) console.warn(`onnx.checker part skipped: ${noChecker}`);

describe('hourglass compile examples/*.ts', () => {
  test('examples/ holds only specs, the GANs among them', () => {
    expect(specs.length).toBeGreaterThanOrEqual(15);
    for (const g of GANS) expect(specs).toContain(g);
  });

  test.each(specs)('%s compiles to artifacts and one manifest that onnx.checker accepts', (spec) => {
    const out = join(tmp, spec.replace(/\.ts$/, ''));
    const r = hourglass(['compile', join('examples', spec), '--out', out, '--no-typecheck']);
    expect(r.code, r.err).toBe(0);
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.json'))).toEqual(['manifest.json']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { format?: string };
    const onnx = files.filter((f) => f.endsWith('.onnx'));
    if (GANS.includes(spec)) {
      expect(manifest.format).toBe('hourglass-gan-manifest/1');
      expect(onnx.sort()).toEqual(['discriminator_step.onnx', 'generate.onnx', 'generator_step.onnx', 'rounds.onnx']);
    } else expect(onnx).toEqual(expect.arrayContaining(['train_step.onnx', 'encode.onnx', 'decode.onnx']));
    if (!noChecker) expect(checkModels(Object.fromEntries(onnx.map((f) => [`${spec}-${f}`, readFileSync(join(out, f))])))).toBeNull();
  }, 180_000);
});
