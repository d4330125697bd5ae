// hourglass serve [run-dir | spec.ts] [--port n]: the browser training page. With no argument it
// serves the examples' VAE at a few latent sizes and β; with a spec, that model; with a run
// directory, that run's artifacts, settings and checkpoint (continue it or explore it).
import { existsSync, statSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import * as E from 'fp-ts/Either';
import { tsImport } from 'tsx/esm/api';
import type { VaeBuilder } from '../../apps/serve/catalog';
import type { Catalog } from '../../apps/serve/catalog';
import { CliError, integer, orFail, EXIT } from '../../core/failure';
import { loadSpec } from '../../host/spec/loadSpec';
import { needPackages } from '../optional';

/** What the page needs beyond the package's dependencies (optional peers: see docs/package.md). */
export const PAGE_PACKAGES = ['onnxruntime-web', 'esbuild', 'uplot'] as const;

export interface ServeOpts {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly typecheck: boolean;
}

const catalogFor = async (target: string | undefined, o: ServeOpts): Promise<Catalog> => {
  const { runCatalog, specCatalog, vaeCatalog } = await import('../../apps/serve/catalog');
  if (target === undefined) {
    // The examples' VAE, loaded as a spec file is (the runtime never imports examples/).
    const { exampleSpec } = await import('../../apps/reproduce/train');
    const { vae } = (await tsImport(exampleSpec('vae.ts'), import.meta.url)) as { vae: VaeBuilder };
    return orFail(vaeCatalog(vae, o.seed));
  }
  if (!existsSync(target)) throw new CliError(`${target}: no such run directory or spec file`, EXIT.noInput);
  if (statSync(target).isDirectory()) {
    const c = runCatalog(target);
    if (E.isLeft(c)) throw new CliError(c.left, EXIT.dataErr);
    return c.right;
  }
  const model = await loadSpec(target, { typecheck: o.typecheck });
  if (E.isLeft(model)) throw new CliError(model.left, EXIT.dataErr);
  const c = specCatalog(target, model.right, o.seed);
  if (E.isLeft(c)) throw new CliError(c.left, EXIT.dataErr);
  return c.right;
};

export const serveCommand = async (target: string | undefined, o: ServeOpts): Promise<void> => {
  needPackages('serve', 'the browser page', PAGE_PACKAGES);
  const [{ showDataError }, { resolveDataset }, { servePage }] = await Promise.all([import('../../host/data/errors'), import('../../host/data/resolve'), import('../../apps/serve/server')]);
  const catalog = await catalogFor(target, o);
  const data = resolveDataset(catalog.data, {});
  if (E.isLeft(data)) throw new CliError(showDataError(data.left), EXIT.noInput);
  const want = catalog.models[0].manifest.inputShape.reduce((a, b) => a * b, 1);
  if (data.right.dim !== want)
    throw new CliError(`${catalog.data}: examples have ${data.right.dim} values, but ${catalog.models[0].manifest.model} expects [${catalog.models[0].manifest.inputShape.join(', ')}]`, EXIT.dataErr);
  let page;
  try {
    page = await servePage(catalog, data.right, o.port, o.host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new CliError(`${o.host}:${o.port}: cannot listen (${code})`, EXIT.unavailable);
  }
  console.log(`${catalog.title}: ${catalog.models.length} model${catalog.models.length > 1 ? 's' : ''}, data ${data.right.name} (${data.right.n} examples)`);
  console.log(`serving the training page at ${page.url} (Ctrl-C to stop)`);
  const stop = () => void page.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

const portArg = (raw: string): number => {
  try {
    const p = integer('port')(raw);
    if (p < 0 || p > 65535) throw new CliError(`--port must be between 0 and 65535, got ${raw}`, EXIT.usage);
    return p;
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message.replace(/^--\S+ /, '') : String(err));
  }
};

export const registerServe = (program: Command): void => {
  program
    .command('serve')
    .description('serve the browser training page (onnxruntime-web) for a run directory, a spec, or by default the VAE')
    .argument('[target]', 'a run directory (continue or explore it) or a spec .ts; default: examples/vae.ts at latent 2/8/20, β 1/4')
    .option('--port <n>', 'port (0 picks a free one)', portArg, 8080)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--seed <s>', 'seed of the page\'s initialisation, shuffling and noise (a run directory keeps its own)', (raw) => {
      try {
        return integer('seed')(raw);
      } catch (err) {
        throw new InvalidArgumentError(err instanceof Error ? err.message.replace(/^--\S+ /, '') : String(err));
      }
    }, 1)
    .option('--no-typecheck', 'skip type-checking the spec')
    .action((target, o) => serveCommand(target, o));
};
