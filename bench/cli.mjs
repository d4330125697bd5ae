// npm run bench:cli: start-up of the `hourglass` command as a user gets it. Builds dist/, packs
// the package, installs the tarball into an empty ESM project (no optional peers), and times with
// hyperfine (median of ≥ 10 runs; RUNS=n for more): --help, --version, compile (a spec of the repo
// and one importing 'hourglass', each with and without type-checking; typescript is added to the
// project for these), the first epoch line of `npm start` (the checkout's bin, on the fresh build),
// and a sweep over a finished grid. A benchmark, not a test: CI does not run it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.RUNS ?? 10);
if (spawnSync('hyperfine', ['--version']).status !== 0) {
  console.error('bench:cli needs hyperfine (Debian: apt-get install hyperfine)');
  process.exit(69);
}
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-bench-cli-'));
const sh = (cmd, args, cwd = repo) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
try {
  sh('npm', ['run', 'build', '--silent']);
  const [{ filename }] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp]));
  const project = join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-project', private: true, type: 'module' }));
  sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(tmp, filename)], project);
  const du = sh('du', ['-sm', join(project, 'node_modules')]).split('\t')[0];
  // Then what a TypeScript user has anyway (an optional peer): specs are type-checked as before.
  const tsVersion = JSON.parse(readFileSync(join(repo, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-dev', `typescript@${tsVersion}`], project);
  writeFileSync(
    join(project, 'spec.ts'),
    `import { autoencoder, bernoulli, dense, flow, gaussianHead, kl, relu, reparameterise, standardNormal } from 'hourglass';
export default autoencoder({ name: 'user', input: [784], encoder: flow(dense(400), relu, gaussianHead(20)), decoder: flow(dense(400), relu, dense(784)), likelihood: bernoulli })
  .objective(({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(20)) }));
`,
  );
  const hg = join(project, 'node_modules', '.bin', 'hourglass');
  const compiled = join(tmp, 'compiled');
  const sweep = join(tmp, 'sweep');
  const sweepArgs = ['sweep', join(repo, 'examples', 'vae.ts'), '--set', 'latent=2,4', '--seeds', '1', '--data', 'mnist', '--epochs', '1', '--batch', '200', '--threads-per-trial', '1', '--out', sweep];
  const first = performance.now();
  sh(hg, sweepArgs, project);
  const firstSweep = (performance.now() - first) / 1000;

  const cases = [
    ['hourglass --help', `${hg} --help`, project],
    ['hourglass --version', `${hg} --version`, project],
    ['hourglass compile examples/vae.ts (its imports: the repo\'s TypeScript sources)', `${hg} compile ${join(repo, 'examples', 'vae.ts')} --out ${compiled}`, project],
    ['the same, --no-typecheck', `${hg} compile ${join(repo, 'examples', 'vae.ts')} --out ${compiled} --no-typecheck`, project],
    ["hourglass compile spec.ts (a user's VAE importing 'hourglass')", `${hg} compile spec.ts --out ${compiled}`, project],
    ['the same, --no-typecheck', `${hg} compile spec.ts --out ${compiled} --no-typecheck`, project],
    ['npm start, to the first epoch line', `node ${join(repo, 'bench', 'cli-first-line.mjs')} ^epoch\\ 1/ npm start`, repo],
    ['sweep over a finished grid (2 trials)', `${hg} ${sweepArgs.join(' ')}`, project],
  ];
  const rows = [];
  for (const [name, command, cwd] of cases) {
    const json = join(tmp, 'hf.json');
    sh('hyperfine', ['-N', '--warmup', '1', '--runs', String(runs), '--export-json', json, command], cwd);
    const r = JSON.parse(readFileSync(json, 'utf8')).results[0];
    rows.push([name, r.median, r.user, r.system]);
  }
  console.log(`\nload average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}; ${runs} runs each`);
  console.log('| command | median (s) | user (s) | system (s) |\n| --- | ---: | ---: | ---: |');
  for (const [name, median, user, system] of rows) console.log(`| ${name} | ${median.toFixed(3)} | ${user.toFixed(3)} | ${system.toFixed(3)} |`);
  console.log(`| first run of that sweep (for comparison) | ${firstSweep.toFixed(3)} | | |`);
  console.log(`\nnode_modules of the installed tarball: ${du} MB (before typescript was added for the compile rows)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
