// Outputs never overwrite inputs or foreign files: each output checks its extension, refuses an
// input of the same command, a file Hourglass did not write, and any place inside a run
// directory except that run's own outputs; --force keeps the user's files in a run directory
// and the directory's mode. Real CLI, real files; every refusal leaves every byte as it was.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { finishedRun, hourglass, refusedBy, writeSmallData, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-outputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const trainArgs = (out: string, ...more: string[]) => ['train', spec, '--data', data, '--out', out, '--epochs', '1', '--batch', '32', '--threads', '1', '--no-typecheck', ...more];
const { finished, copyRun } = finishedRun(tmp, (dir) => trainArgs(dir));

const refused = refusedBy;

describe('report --out', () => {
  test('refuses the run\'s checkpoint, the spec and another file inside the run; writes its own page twice', () => {
    const ck = join(finished, 'checkpoint.hgck');
    refused(['report', finished, '--out', ck], EXIT.usage, /--out must end in \.html/, [ck]);
    refused(['report', finished, '--out', spec], EXIT.usage, /--out must end in \.html/, [spec]);
    refused(['report', finished, '--out', join(finished, 'exported', 'page.html')], EXIT.cantCreate, /inside the run directory/, [ck]);
    const mine = join(tmp, 'mine.html');
    writeFileSync(mine, '<html>my own page</html>');
    refused(['report', finished, '--out', mine], EXIT.cantCreate, /exists and carries no mark of Hourglass/, [mine]);
    const page = join(tmp, 'report.html');
    for (let i = 0; i < 2; i++) expect(hourglass(['report', finished, '--out', page]).code).toBe(0);
    const own = hourglass(['report', finished]);
    expect(own.code, own.err).toBe(0);
    expect(readFileSync(join(finished, 'report.html'), 'utf8')).toContain('generator" content="hourglass report"');
  }, 600_000);
});

describe('encode --out', () => {
  test('refuses its own --data, a run file and a wrong extension', () => {
    const d = join(tmp, 'd.npy');
    cpSync(data, d);
    refused(['encode', finished, '--data', d, '--out', d], EXIT.cantCreate, /is an input of this command/, [d]);
    refused(['encode', finished, '--data', d, '--out', join(finished, 'codes.npy')], EXIT.cantCreate, /inside the run directory/, [d]);
    refused(['encode', finished, '--data', d, '--out', join(tmp, 'codes.txt')], EXIT.usage, /--out must end in \.npy/, [d]);
    const ok = hourglass(['encode', finished, '--data', d, '--out', join(tmp, 'codes.npy')]);
    expect(ok.code, ok.err).toBe(0);
  }, 600_000);
});

describe('compile --out', () => {
  test("refuses a folder with a user's manifest.json or graph, and a run directory; recompiles its own", () => {
    const app = join(tmp, 'webapp');
    mkdirSync(app);
    const manifest = join(app, 'manifest.json');
    writeFileSync(manifest, '{"name": "my web app", "icons": []}');
    refused(['compile', spec, '--out', app, '--no-typecheck'], EXIT.cantCreate, /manifest\.json: exists and was not written by Hourglass/, [manifest]);
    const graphs = join(tmp, 'graphs');
    mkdirSync(graphs);
    writeFileSync(join(graphs, 'encode.onnx'), 'mine');
    refused(['compile', spec, '--out', graphs, '--no-typecheck'], EXIT.cantCreate, /encode\.onnx: exists beside no Hourglass manifest\.json/, [join(graphs, 'encode.onnx')]);
    const run = copyRun();
    refused(['compile', spec, '--out', run, '--no-typecheck'], EXIT.cantCreate, /inside the run directory/, [join(run, 'artifacts', 'manifest.json')]);
    const out = join(tmp, 'compiled');
    for (let i = 0; i < 2; i++) {
      const r = hourglass(['compile', spec, '--out', out, '--no-typecheck']);
      expect(r.code, r.err).toBe(0);
    }
  }, 600_000);
});

describe('train --force', () => {
  test("keeps the user's files and folders in the run directory and the directory's mode", () => {
    const run = copyRun();
    writeFileSync(join(run, 'thesis.txt'), 'chapter 1');
    mkdirSync(join(run, 'my-notes'));
    writeFileSync(join(run, 'my-notes', 'a.md'), 'note');
    chmodSync(run, 0o750);
    const r = hourglass(trainArgs(run, '--force', '--seed', '9'));
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(run, 'thesis.txt'), 'utf8')).toBe('chapter 1');
    expect(readFileSync(join(run, 'my-notes', 'a.md'), 'utf8')).toBe('note');
    expect(statSync(run).mode & 0o777).toBe(0o750);
    const rec = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    expect(rec.settings.seed).toBe(9);
    expect(rec.written).toEqual(expect.arrayContaining(['run.json', 'checkpoint.hgck', 'metrics.jsonl', 'artifacts', 'exported']));
    expect(rec.written).not.toContain('thesis.txt');
  });
});
