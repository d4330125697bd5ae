// hourglass data <data> --out DIR: a data set as NumPy arrays plus the exact train / held-out
// split a run with the same --held-out uses, so tools outside Hourglass can match it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import * as E from 'fp-ts/Either';
import { DEFAULT_HELD_OUT, SPLIT_SEED, splitIndices } from '../../core/dataset';
import { showDataError } from '../../host/data/errors';
import { saveNpy } from '../../host/data/npy';
import { resolveDataset } from '../../host/data/resolve';
import { unwritable, writeFileAtomic } from '../../host/fsx';
import { CliError, fraction, orFail, EXIT } from '../../core/failure';
import { checkOutputFile } from '../../run/outputs';

export interface DataOpts {
  readonly out: string;
  readonly heldOut: number;
  readonly binarise: boolean;
  readonly force: boolean;
}

const writtenByUs = (splitJson: string): boolean => {
  try {
    const j = JSON.parse(readFileSync(splitJson, 'utf8')) as Record<string, unknown>;
    return typeof j.heldOutFraction === 'number' && Array.isArray(j.train) && Array.isArray(j.heldOut);
  } catch {
    return false;
  }
};

export const dataCommand = (name: string, o: DataOpts): void => {
  const loaded = resolveDataset(name, { binarise: o.binarise });
  if (E.isLeft(loaded)) throw new CliError(showDataError(loaded.left), EXIT.dataErr);
  const d = loaded.right;
  const files = ['x.npy', 'labels.npy', 'factors.npy', 'split.json'].map((f) => join(o.out, f));
  // Never over the data set read, into a run directory, or through a link; what exists is judged below.
  for (const f of files) orFail(checkOutputFile(f, { flag: '--out', exts: [extname(f)], inputs: [name], force: true }));
  const present = files.filter((f) => existsSync(f));
  if (present.length && !o.force) throw new CliError(`${present[0]}: exists; pass --force to replace the files hourglass data writes`, EXIT.cantCreate);
  // --force replaces only an earlier `hourglass data` output: its split.json is the marker.
  if (present.length && !writtenByUs(join(o.out, 'split.json'))) throw new CliError(`${present[0]}: exists and ${o.out} holds no split.json written by hourglass data; not replacing it`, EXIT.cantCreate);
  const cannot = unwritable(o.out);
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  mkdirSync(o.out, { recursive: true });
  const wrote: string[] = [];
  saveNpy(join(o.out, 'x.npy'), d.images, [d.n, ...d.shape]);
  wrote.push(`x.npy [${[d.n, ...d.shape].join(', ')}] float32`);
  if (d.labels) {
    saveNpy(join(o.out, 'labels.npy'), d.labels, [d.n]);
    wrote.push(`labels.npy [${d.n}] uint8`);
  }
  if (d.factors) {
    saveNpy(join(o.out, 'factors.npy'), d.factors.values, [d.n, d.factors.names.length]);
    wrote.push(`factors.npy [${d.n}, ${d.factors.names.length}] float32 (${d.factors.names.join(', ')})`);
  }
  const split = splitIndices(d.n, o.heldOut, SPLIT_SEED);
  const record = {
    data: name,
    n: d.n,
    shape: d.shape,
    binarise: o.binarise,
    heldOutFraction: o.heldOut,
    seed: SPLIT_SEED,
    ...(d.factors ? { factors: d.factors.names } : {}),
    // Row indices into x.npy, in the order the run's subsets hold them.
    train: Array.from(split.train),
    heldOut: Array.from(split.heldOut),
  };
  writeFileAtomic(join(o.out, 'split.json'), JSON.stringify(record));
  wrote.push(`split.json (${split.train.length} train, ${split.heldOut.length} held out at --held-out ${o.heldOut})`);
  for (const w of wrote) console.log(`wrote ${join(o.out, w)}`);
};

const parseFraction = (raw: string) => {
  try {
    return fraction('held-out')(raw);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message.replace(/^--\S+ /, '') : String(err));
  }
};

export const registerData = (program: Command): void => {
  program
    .command('data')
    .description('write a data set as x.npy, labels.npy, factors.npy (where it has them) and split.json (the train / held-out rows of a run)')
    .argument('<data>', 'mnist, fashion-mnist, fashion-mnist-test, shapes[:n], or a .npy / IDX file')
    .requiredOption('--out <dir>', 'output directory')
    .option('--held-out <fraction>', 'held-out fraction of the split, as given to train', parseFraction, DEFAULT_HELD_OUT)
    .option('--binarise', 'threshold at 0.5, as train --binarise does', false)
    .option('--force', 'replace files an earlier hourglass data wrote there', false)
    .action((name, o) => dataCommand(name, o));
};
