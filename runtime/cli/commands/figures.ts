// hourglass figures <run-dir>: every figure that applies to the run, into <run-dir>/figures/.
import { join } from 'node:path';
import { Command } from 'commander';
import * as E from 'fp-ts/Either';
import { CliError, intIn, positiveInt, EXIT } from '../../core/failure';
import { needVega } from '../optional';

/** Tiles past 32× are megapixels each: a figure of them would not fit in memory. */
const MAX_SCALE = 32;

export const figuresCommand = async (dir: string, o: { scale?: number; data?: string; n?: number; out?: string }): Promise<void> => {
  needVega('figures');
  const [{ buildFigures }, { writeFigures }, { unwritable }] = await Promise.all([import('../../analysis/figures/build'), import('../../analysis/figures/write'), import('../../host/fsx')]);
  const built = await buildFigures(dir, o);
  if (E.isLeft(built)) throw new CliError(built.left, /not a finished run|missing/.test(built.left) ? EXIT.noInput : EXIT.dataErr);
  const out = o.out ?? join(dir, 'figures');
  const cannot = unwritable(out);
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  for (const path of writeFigures(out, built.right)) console.log(`wrote ${path}`);
};

const parse = (what: string) => (raw: string) => {
  try {
    return positiveInt(what)(raw);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
};

export const registerFigures = (program: Command): void => {
  program
    .command('figures')
    .description("draw every figure that applies to a finished run into <run-dir>/figures/ (PNG images, SVG plots)")
    .argument('<run-dir>', 'a finished training run')
    .option('--scale <n>', `integer upscaling of image tiles, 1 to ${MAX_SCALE} (default: tiles of at least 84 px)`, (raw: string) => intIn('scale', 1, MAX_SCALE)(raw))
    .option('--n <n>', 'examples in the reconstruction figure', parse('n'))
    .option('--data <name|path>', "data set for the data-dependent figures (default: the run's)")
    .option('--out <dir>', 'output folder (default: <run-dir>/figures)')
    .action((dir, o) => figuresCommand(dir, o));
};
