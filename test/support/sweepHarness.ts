// Shared by the sweep tests: a tiny VAE spec (64×64 shapes → 2-D code; parameters hidden, latent)
// and the real binary.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repo = resolve(__dirname, '../..');
export const bin = join(repo, 'bin', 'hourglass.js');

export const writeTinySpec = (dir: string): string => {
  const path = join(dir, 'tiny-vae.ts');
  writeFileSync(
    path,
    `import { autoencoder, bernoulli, dense, flow, params, relu, gaussianHead, kl, reparameterise, standardNormal } from '${join(repo, 'dsl')}';
export default params({ hidden: 16, latent: 2 }, (p) =>
  autoencoder({ name: 'tiny_vae', input: [4096], encoder: flow(dense(p.hidden), relu, gaussianHead(p.latent)), decoder: flow(dense(p.hidden), relu, dense(4096)), likelihood: bernoulli })
    .objective(({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(p.latent)) })));
`,
  );
  return path;
};

export interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export const hourglass = (args: readonly string[], env: NodeJS.ProcessEnv = process.env): Ran => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** Starts `hourglass` in the background; `ended` resolves with its exit code and output. */
export const hourglassBackground = (args: readonly string[], env: NodeJS.ProcessEnv = process.env) => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const ended = new Promise<Ran>((r) => child.on('exit', (code, signal) => r({ code: code ?? (signal ? 128 : null), out, err })));
  return { child, ended };
};

export const waitFor = async (what: string, check: () => boolean, seconds = 120): Promise<void> => {
  for (let i = 0; i < seconds * 10; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** Pids of processes whose command line mentions `needle` (read from /proc). */
export const processesMentioning = (needle: string): number[] => {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle)) pids.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
};
