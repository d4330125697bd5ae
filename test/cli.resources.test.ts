// Regression tests for resource defects found by re-running issue 26's probes (docs/safety.md,
// "Probes"): each asks for more than the machine has and must end in one line with exit 71,
// never the OOM killer's SIGKILL or exit 70. Real CLI, real files.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { availableMemory } from '../runtime/host/freeMemory';
import { hourglass, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-resources-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** shapes:1000000 is 16.4 GB of float32; the refusal applies where that is more than half the free memory. */
const SHAPES_MAX_BYTES = 1_000_000 * 64 * 64 * 4;
const fits = SHAPES_MAX_BYTES <= availableMemory() / 2;
if (fits) console.log(`cli.resources: skipping the shapes:1000000 refusal: this machine has ${(availableMemory() / 1e9).toFixed(1)} GB free, so it would generate the 16.4 GB set`);

describe('data sets larger than the memory', () => {
  test.skipIf(fits)('shapes:1000000 is refused before it is generated (data and train)', () => {
    const out = join(tmp, 'big');
    const d = hourglass(['data', 'shapes:1000000', '--out', out]);
    expect(d.code, d.err).toBe(EXIT.noMemory);
    expect(d.err.split('\n')).toHaveLength(1);
    expect(d.err).toMatch(/shapes:1000000: 1,000,000 images of 64×64 need 16\.4 GB, more than half the .* GB of memory available/);
    expect(existsSync(out)).toBe(false);
    const t = hourglass(['train', writeTinyVae(tmp), '--data', 'shapes:1000000', '--out', join(tmp, 'run'), '--no-typecheck']);
    expect(t.code, t.err).toBe(EXIT.noMemory);
    expect(t.err).toMatch(/need 16\.4 GB/);
  }, 120_000);
});
