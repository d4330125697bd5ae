// Outputs never replace a file Hourglass did not write (docs/safety.md, "Outputs"): encode,
// reconstruct, sample, figures and report replace an existing file only when it carries
// Hourglass's mark (a PNG's tEXt Software chunk, an SVG's comment, the report's generator tag)
// or with --force; an existing .npy carries no mark, so it needs --force. A link is refused even
// with --force, and so is an input of the same command. Real CLI, real files; every refusal is
// one line, exit 73, and leaves every byte where it was.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { loadNpy } from '../runtime/host/data/npy';
import { writeFileAtomic } from '../runtime/host/fsx';
import { isMarkedPng, isMarkedSvg, markPng, markSvg, SVG_MARK } from '../runtime/host/marks';
import { finishedRun, hourglass, refusedBy, writeSmallData, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-foreign-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const { finished, copyRun } = finishedRun(tmp, (dir) => ['train', spec, '--data', data, '--out', dir, '--epochs', '1', '--batch', '32', '--threads', '1', '--no-typecheck']);

const refused = (args: string[], mention: RegExp, unchanged: string[], code: number = EXIT.cantCreate) => refusedBy(args, code, mention, unchanged);
const ok = (args: string[]) => {
  const r = hourglass(args);
  expect(r.code, r.err).toBe(0);
  return r;
};

/** A real PNG another program wrote: no Software chunk. */
const foreignPng = (path: string) => {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(7);
  writeFileSync(path, PNG.sync.write(png));
};

describe('the PNG mark', () => {
  test('is a tEXt Software chunk readers accept, with a CRC that holds', () => {
    const png = new PNG({ width: 3, height: 2 });
    png.data.fill(200);
    const plain = join(tmp, 'plain.png');
    const marked = join(tmp, 'marked.png');
    writeFileSync(plain, PNG.sync.write(png));
    writeFileSync(marked, markPng(PNG.sync.write(png)));
    expect(isMarkedPng(plain)).toBe(false);
    expect(isMarkedPng(marked)).toBe(true);
    const back = PNG.sync.read(readFileSync(marked));
    expect([back.width, back.height]).toEqual([3, 2]);
    expect(readFileSync(marked).includes(Buffer.from('tEXtSoftware\0hourglass', 'latin1'))).toBe(true);
    // A flipped byte in the chunk breaks its CRC: no longer a mark.
    const bytes = readFileSync(marked);
    bytes[bytes.indexOf('hourglass', 0, 'latin1')] ^= 1;
    writeFileSync(marked, bytes);
    expect(isMarkedPng(marked)).toBe(false);
  });

  test('the SVG mark sits right after the opening tag, and only there counts', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2"><g/></svg>';
    const marked = join(tmp, 'marked.svg');
    writeFileSync(marked, markSvg(svg));
    expect(readFileSync(marked, 'utf8').startsWith('<svg')).toBe(true);
    expect(isMarkedSvg(marked)).toBe(true);
    expect(markSvg(markSvg(svg))).toBe(markSvg(svg));
    const elsewhere = join(tmp, 'elsewhere.svg');
    writeFileSync(elsewhere, `<svg width="2"><g/>${SVG_MARK}</svg>`);
    expect(isMarkedSvg(elsewhere)).toBe(false);
  });

  test('a write planned as new never replaces a file that appeared since the check', () => {
    const path = join(tmp, 'raced.npy');
    writeFileSync(path, 'the user was faster');
    expect(() => writeFileAtomic(path, 'ours', { replace: false })).toThrow(/appeared while Hourglass was writing it/);
    expect(readFileSync(path, 'utf8')).toBe('the user was faster');
    expect(existsSync(`${path}.tmp`)).toBe(false);
    const fresh = join(tmp, 'fresh.npy');
    writeFileAtomic(fresh, 'ours', { replace: false });
    expect(readFileSync(fresh, 'utf8')).toBe('ours');
  });
});

describe('encode, reconstruct, sample', () => {
  test('an existing .npy is refused without --force (it carries no mark) and replaced with it', () => {
    const codes = join(tmp, 'codes.npy');
    writeFileSync(codes, 'my thesis data');
    refused(['encode', finished, '--data', data, '--out', codes], /codes\.npy: exists .*no mark.*pass --force/, [codes]);
    const labels = join(tmp, 'other.labels.npy');
    writeFileSync(labels, 'my labels');
    refused(['encode', finished, '--data', data, '--out', join(tmp, 'other.npy')], /other\.labels\.npy: exists/, [labels]);
    expect(existsSync(join(tmp, 'other.npy'))).toBe(false);
    ok(['encode', finished, '--data', data, '--out', codes, '--force']);
    const back = loadNpy(codes);
    expect(back._tag === 'Right' && back.right.shape).toEqual([160, 2]);
    // Even Hourglass's own earlier codes: a .npy cannot prove who wrote it.
    refused(['encode', finished, '--data', data, '--out', codes], /pass --force/, [codes]);
    const recon = join(tmp, 'recon.npy');
    writeFileSync(recon, 'mine');
    refused(['reconstruct', finished, '--data', data, '--out', recon], /recon\.npy: exists/, [recon]);
    refused(['sample', finished, '--out', recon], /recon\.npy: exists/, [recon]);
  }, 600_000);

  test('encode --force over codes with labels, from data without labels, leaves no stale labels beside them', () => {
    const codes = join(tmp, 'mnist-codes.npy');
    ok(['encode', finished, '--data', 'mnist', '--limit', '20', '--out', codes]);
    const labels = join(tmp, 'mnist-codes.labels.npy');
    expect(existsSync(labels)).toBe(true);
    refused(['encode', finished, '--data', data, '--out', codes], /pass --force/, [codes, labels]);
    const r = ok(['encode', finished, '--data', data, '--out', codes, '--force']);
    expect(r.out).toMatch(/removed .*mnist-codes\.labels\.npy/);
    expect(existsSync(labels)).toBe(false);
  }, 600_000);

  test('a .png Hourglass wrote is replaced; a foreign one, or a non-PNG named .png, only with --force', () => {
    const s = join(tmp, 'samples.png');
    ok(['sample', finished, '--n', '4', '--out', s]);
    expect(isMarkedPng(s)).toBe(true);
    ok(['sample', finished, '--n', '4', '--seed', '2', '--out', s]);
    const r = join(tmp, 'pairs.png');
    ok(['reconstruct', finished, '--data', data, '--n', '4', '--out', r]);
    ok(['reconstruct', finished, '--data', data, '--n', '4', '--out', r]);
    const photo = join(tmp, 'photo.png');
    foreignPng(photo);
    refused(['sample', finished, '--out', photo], /photo\.png: exists and carries no mark of Hourglass; not replacing it: pass --force/, [photo]);
    refused(['reconstruct', finished, '--data', data, '--out', photo], /photo\.png: exists and carries no mark/, [photo]);
    const text = join(tmp, 'notes.png');
    writeFileSync(text, 'not an image at all');
    refused(['sample', finished, '--out', text], /notes\.png: exists and carries no mark/, [text]);
    ok(['sample', finished, '--n', '4', '--out', photo, '--force']);
    expect(isMarkedPng(photo)).toBe(true);
  }, 600_000);

  test('a link is refused even with --force, and so is an input of the same command', () => {
    const target = join(tmp, 'target.png');
    foreignPng(target);
    const link = join(tmp, 'link.png');
    symlinkSync(target, link);
    refused(['sample', finished, '--out', link, '--force'], /link\.png: is a symbolic link/, [target]);
    const npyLink = join(tmp, 'link.npy');
    symlinkSync(data, npyLink);
    refused(['encode', finished, '--data', data, '--out', npyLink, '--force'], /is an input of this command/, [data]);
    refused(['reconstruct', finished, '--data', data, '--out', data, '--force'], /is an input of this command/, [data]);
  }, 600_000);

  test("a user's file at the writer's temporary name (<out>.tmp) is kept unless --force", () => {
    const out = join(tmp, 'grid.png');
    writeFileSync(`${out}.tmp`, 'my draft');
    refused(['sample', finished, '--n', '4', '--out', out], /grid\.png\.tmp exists .*remove it, pass --force/, [`${out}.tmp`]);
    expect(existsSync(out)).toBe(false);
    ok(['sample', finished, '--n', '4', '--out', out, '--force']);
    expect(isMarkedPng(out)).toBe(true);
  }, 600_000);
});

describe('figures', () => {
  test('replaces its own earlier figures, refuses a foreign file in --out (and inside another run) unless --force', () => {
    ok(['figures', finished]);
    ok(['figures', finished]);
    const own = join(finished, 'figures', 'reconstructions.png');
    expect(isMarkedPng(own)).toBe(true);
    expect(isMarkedSvg(join(finished, 'figures', 'curves.svg'))).toBe(true);
    const out = join(tmp, 'paper-figs');
    mkdirSync(out);
    const mine = join(out, 'reconstructions.png');
    foreignPng(mine);
    const index = join(out, 'index.json');
    writeFileSync(index, '{"my": "index"}');
    refused(['figures', finished, '--out', out], /index\.json: exists and carries no mark/, [mine, index]);
    rmSync(index);
    refused(['figures', finished, '--out', out], /reconstructions\.png: exists and carries no mark/, [mine]);
    expect(existsSync(join(out, 'curves.svg'))).toBe(false);
    ok(['figures', finished, '--out', out, '--force']);
    expect(isMarkedPng(mine)).toBe(true);
    ok(['figures', finished, '--out', out]);
    const other = copyRun();
    refused(['figures', finished, '--out', join(other, 'figures')], /inside the run directory/, [join(other, 'run.json')]);
  }, 600_000);

  test('figures written before the mark existed are replaced: the folder index.json lists them', () => {
    const run = copyRun();
    ok(['figures', run]);
    const png = join(run, 'figures', 'reconstructions.png');
    // An unmarked copy of the same image, as an older hourglass wrote it.
    const img = PNG.sync.read(readFileSync(png));
    writeFileSync(png, PNG.sync.write(img));
    expect(isMarkedPng(png)).toBe(false);
    ok(['figures', run]);
    expect(isMarkedPng(png)).toBe(true);
  }, 600_000);
});

describe('report --force', () => {
  test('replaces a page without the generator tag only with --force', () => {
    const page = join(tmp, 'page.html');
    writeFileSync(page, '<html>mine</html>');
    refused(['report', finished, '--out', page], /page\.html: exists and carries no mark of Hourglass; not replacing it: pass --force/, [page]);
    ok(['report', finished, '--out', page, '--force']);
    expect(readFileSync(page, 'utf8')).toContain('generator" content="hourglass report"');
  }, 600_000);
});
