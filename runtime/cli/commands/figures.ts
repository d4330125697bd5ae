// hourglass figures <run-dir>: every figure that applies to the run, into <run-dir>/figures/.
import { extname, join } from 'node:path';
import { Command } from 'commander';
import * as E from 'fp-ts/Either';
import { CliError, intIn, orFail, positiveInt, EXIT } from '../../core/failure';
import { needVega } from '../optional';

/** Tiles past 32× are megapixels each: a figure of them would not fit in memory. */
const MAX_SCALE = 32;

export const figuresCommand = async (dir: string, o: { scale?: number; data?: string; n?: number; out?: string; force?: boolean }): Promise<void> => {
  needVega('figures');
  const [{ buildFigures }, { figureFiles, figureIndexNames, listedByFigureIndex }, { unwritable }, { checkOutputFile, hasMark, writeOutput }] = await Promise.all([
    import('../../analysis/figures/build'),
    import('../../analysis/figures/write'),
    import('../../host/fsx'),
    import('../../run/outputs'),
  ]);
  const out = o.out ?? join(dir, 'figures');
  // Where each file goes: outside any run but this one's figures/, never over the --data file,
  // and over an existing file only when it is an earlier figure (marked, or listed by the
  // folder's index.json) or with --force. Checked for index.json before the work, for all after.
  const rule = (name: string) => ({
    flag: '--out',
    exts: [extname(name)],
    inputs: o.data ? [o.data] : [],
    run: { dir, own: ['figures/'] },
    ours: name === 'index.json' ? (p: string) => figureIndexNames(p) !== null : (p: string) => hasMark(p) || listedByFigureIndex(p),
    force: o.force,
  });
  orFail(checkOutputFile(join(out, 'index.json'), rule('index.json')));
  const built = await buildFigures(dir, o);
  if (E.isLeft(built)) throw new CliError(built.left, /not a finished run|missing/.test(built.left) ? EXIT.noInput : EXIT.dataErr);
  const files = figureFiles(built.right).map((f) => ({ ...f, path: join(out, f.name), plan: orFail(checkOutputFile(join(out, f.name), rule(f.name))) }));
  const cannot = unwritable(out);
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  // index.json last: it lists what is there.
  for (const f of files) {
    writeOutput(f.path, f.bytes, f.plan);
    if (f.name !== 'index.json') console.log(`wrote ${f.path}`);
  }
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
    .option('--force', 'replace files in --out that Hourglass cannot prove it wrote', false)
    .action((dir, o) => figuresCommand(dir, o));
};
