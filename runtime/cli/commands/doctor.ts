// hourglass doctor [--json] [--install-cuda [--from <tgz>] [--force]]; and the --provider option
// the other commands share.
import type { Command } from 'commander';
import * as E from 'fp-ts/Either';
import type { DoctorReport } from '../../host/providers/doctor';
import { ortReason } from '../../host/providers/ortReason';
import { parseProviders, type Provider } from '../../host/providers/request';
import { CliError, EXIT } from '../../core/failure';

export const PROVIDER_HELP = 'execution provider: cpu, cuda or webgpu; a list such as cuda,cpu falls back in that order (hourglass doctor shows what is available)';

export const providersOption = (raw: string): readonly Provider[] => {
  const p = parseProviders(raw);
  if (E.isLeft(p)) throw new CliError(`--provider ${p.left}`, EXIT.usage);
  return p.right;
};

const mark = (ok: boolean) => (ok ? 'ok  ' : 'no  ');

export const renderDoctor = (r: DoctorReport): string => {
  const lines: string[] = [`platform ${r.platform}, node ${r.node}`, '', 'onnxruntime bindings (each probed in its own process):'];
  for (const b of r.bindings) {
    if (!b.installed) {
      lines.push(`  ${b.package}: not installed`);
      continue;
    }
    lines.push(`  ${b.package} ${b.version}  (${b.libDir})`);
    if (b.probe?.loadError) lines.push(`    does not load: ${b.probe.loadError}`);
    const built = b.probe?.backends?.map((x) => `${x.name}${x.bundled ? '' : ' (library not bundled)'}`).join(', ');
    if (built) lines.push(`    providers it knows: ${built}`);
    for (const [p, res] of Object.entries(b.probe?.providers ?? {})) lines.push(`    ${mark(res.ok)}${p}${res.ok ? '' : `: ${ortReason(res.error ?? '')}`}`);
  }
  lines.push('', `CUDA provider libraries (${r.cudaProvider.package} ${r.cudaProvider.version}): ${r.cudaProvider.route ?? 'no CUDA binding'}`);
  for (const f of r.cudaProvider.files) lines.push(`  ${mark(f.present && f.verified !== false)}${f.name}${f.present ? (f.verified === undefined ? '' : f.verified ? ' (SHA-256 ok)' : ` (SHA-256 ${f.sha256} is not the pinned one)`) : ' (missing)'}`);
  lines.push('', 'CUDA libraries:');
  for (const l of r.cudaLibraries) {
    const where = l.places.map((p) => `${p.path} [${p.where}]`).join(', ');
    lines.push(`  ${mark(l.loadable)}${l.soname.padEnd(18)} ${l.what}${l.found ? `: ${where}` : ': not found'}`);
  }
  if (r.ldLibraryPath) lines.push(`  to make them loadable: export LD_LIBRARY_PATH=${r.ldLibraryPath}`);
  lines.push('', 'GPUs:');
  if (r.gpus.nvidiaSmi === null) lines.push('  nvidia-smi is not installed');
  else if (r.gpus.gpus.length === 0) lines.push(`  none${r.gpus.error ? ` (${r.gpus.error})` : ''}`);
  for (const g of r.gpus.gpus) lines.push(`  ${g.index}: ${g.name}, ${g.memoryMiB} MiB, compute capability ${g.computeCapability}, driver ${g.driver}`);
  lines.push('');
  if (r.cuda.ready) lines.push('--provider cuda: ready');
  else {
    lines.push('--provider cuda: not ready. In order:');
    for (const m of r.cuda.missing) lines.push(`  - ${m.what}\n      ${m.fix}`);
  }
  return lines.join('\n');
};

export const registerDoctor = (program: Command): void => {
  program
    .command('doctor')
    .description('show the execution providers this machine offers, and what --provider cuda still needs')
    .option('--json', 'print the report as JSON', false)
    .option('--install-cuda', 'fetch the pinned CUDA provider libraries (npm) and place them beside onnxruntime-node 1.29 (the same as npm run setup:cuda)', false)
    .option('--from <tgz>', 'with --install-cuda: use this copy of the package tarball instead of npm')
    .option('--force', 'with --install-cuda: replace provider libraries another route placed', false)
    .action(async (o: { json: boolean; installCuda: boolean; from?: string; force: boolean }) => {
      if ((o.from || o.force) && !o.installCuda) throw new CliError('--from and --force go with --install-cuda', EXIT.usage);
      if (o.installCuda) {
        (await import('../../host/providers/setupCuda')).setupCuda({ tarball: o.from, force: o.force });
        if (!o.json) return;
      }
      const r = (await import('../../host/providers/doctor')).doctorReport();
      console.log(o.json ? JSON.stringify(r, null, 2) : renderDoctor(r));
    });
};
