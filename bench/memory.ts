// The memory estimate `train` prints on its first line, against the measured peak RSS of the same
// run (/usr/bin/time -v's "Maximum resident set size"): VAE, deep AE and chairs VAE at two batch
// sizes each, one epoch, one thread. Not a test: it prints a table (docs/safety.md holds the last one).
//   npx tsx bench/memory.ts [--only vae,deep-ae,chairs-vae] [--no-typecheck]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CASES = [
  { model: 'vae', spec: 'examples/vae.ts', data: 'mnist', batches: [128, 512] },
  { model: 'deep-ae', spec: 'examples/deep-ae.ts', data: 'mnist', batches: [128, 512] },
  { model: 'chairs-vae', spec: 'examples/chairs-vae.ts', data: 'shapes', batches: [32, 128] },
] as const;

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const extra = args.includes('--no-typecheck') ? ['--no-typecheck'] : [];
const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

const rows: string[] = ['| model | data | batch | estimate | measured peak RSS | estimate / measured |', '|---|---|---:|---:|---:|---:|'];
for (const c of CASES.filter((c) => !only || only.includes(c.model)))
  for (const batch of c.batches) {
    const tmp = mkdtempSync(join(tmpdir(), 'hg-mem-'));
    const cmd = [join(repo, 'bin', 'hourglass.js'), 'train', c.spec, '--data', c.data, '--out', join(tmp, 'run'), '--epochs', '1', '--threads', '1', '--batch', String(batch), ...extra];
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, ...cmd], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    rmSync(tmp, { recursive: true, force: true });
    const est = /memory: ~([\d.]+) (\w+)/.exec(r.stdout);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !est || !rss) {
      console.error(`${c.model} batch ${batch}: exit ${r.status}\n${r.stderr.split('\n').slice(-8).join('\n')}`);
      continue;
    }
    const estimate = Number(est[1]) * UNITS[est[2]];
    const measured = Number(rss[1]) * 1024;
    console.error(r.stdout.split('\n').find((l) => l.startsWith('memory:')));
    rows.push(`| ${c.model} | ${c.data} | ${batch} | ${(estimate / 1e6).toFixed(0)} MB | ${(measured / 1e6).toFixed(0)} MB | ${(estimate / measured).toFixed(2)} |`);
    console.log(rows[rows.length - 1]);
  }
console.log(rows.join('\n'));
