// `--data <name-or-path>`: a built-in data set by name, or a file or folder by path; checked for
// non-finite values before anything trains on it.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { dataError, type DataError } from './errors';
import { firstNonFinite, type Dataset } from '../../core/dataset';
import { loadFashionMnist } from './fashion';
import { idxDataset } from './idxDataset';
import { loadMnistDigits } from './mnist';
import { loadNpy } from './npy';
import { generateShapes, SIDE } from './shapes';
import { availableMemory } from '../freeMemory';
import { CliError, EXIT } from '../../core/failure';

export interface ResolveOptions {
  /** Threshold at 0.5, for Bernoulli likelihoods that want {0, 1} pixels. */
  readonly binarise?: boolean;
  /** Examples in the procedural `shapes` set (default 10,000). */
  readonly n?: number;
  /** Seed of the procedural `shapes` set (default 0): the same seed always gives the same images. */
  readonly seed?: number;
}

export const NAMES = ['mnist', 'fashion-mnist', 'fashion-mnist-test', 'shapes', 'shapes:<n>'] as const;

const fromNpy = (path: string): E.Either<DataError, Dataset> => {
  const a = loadNpy(path);
  if (E.isLeft(a)) return a;
  const { shape, values, type } = a.right;
  if (shape.length < 2) return E.left(dataError(path, `holds a ${shape.length}-D array [${shape.join(', ')}]; expected examples × features, e.g. [n, 784]`));
  if (type === 'uint8') for (let i = 0; i < values.length; i++) values[i] /= 255;
  const per = shape.slice(1);
  return E.right({ name: path, images: values, n: shape[0], shape: per, dim: per.reduce((x, y) => x * y, 1) });
};

const fromFolder = (dir: string): E.Either<DataError, Dataset> => {
  for (const f of ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte']) if (existsSync(join(dir, f))) return idxDataset(join(dir, f));
  return E.left(dataError(dir, 'is a folder without train-images-idx3-ubyte[.gz]; pass an IDX or .npy file instead'));
};

const byName = (name: string, o: ResolveOptions): E.Either<DataError, Dataset> | undefined => {
  if (name === 'mnist') return E.right(loadMnistDigits());
  if (name === 'fashion-mnist') return loadFashionMnist('train');
  if (name === 'fashion-mnist-test') return loadFashionMnist('t10k');
  const shapes = /^shapes(?::(\d+))?$/.exec(name);
  if (shapes) {
    const n = shapes[1] !== undefined ? Number(shapes[1]) : o.n ?? 10_000;
    if (!(n >= 1 && n <= 1_000_000)) return E.left(dataError(name, 'the shapes set takes between 1 and 1,000,000 examples'));
    // 1,000,000 images are 16 GB of float32: refuse what cannot fit before generating it (a
    // machine without the memory would end in its OOM killer, not a message). Thrown, as the
    // disk-full errors are: a machine's limit, not a fault of the data.
    const bytes = n * SIDE * SIDE * 4;
    const free = availableMemory();
    if (bytes > free / 2)
      throw new CliError(`${name}: ${n.toLocaleString('en')} images of ${SIDE}×${SIDE} need ${(bytes / 1e9).toPrecision(3)} GB, more than half the ${(free / 1e9).toPrecision(3)} GB of memory available; ask for fewer (shapes:<n>)`, EXIT.noMemory);
    return E.right(generateShapes(n, o.seed ?? 0));
  }
  return undefined;
};

const load = (nameOrPath: string, o: ResolveOptions): E.Either<DataError, Dataset> => {
  const named = byName(nameOrPath, o);
  if (named) return named;
  if (!existsSync(nameOrPath))
    return E.left(dataError(nameOrPath, `no such data set or file (built-in data sets: ${NAMES.join(', ')})`, true));
  const st = statSync(nameOrPath);
  if (st.isDirectory()) return fromFolder(nameOrPath);
  // A FIFO would block the read forever and /dev/zero never ends: only regular files are data.
  if (!st.isFile()) return E.left(dataError(nameOrPath, 'is not a regular file (a pipe, device or socket); give a .npy or IDX file'));
  if (nameOrPath.endsWith('.npy')) return fromNpy(nameOrPath);
  return idxDataset(nameOrPath);
};

const binarised = (d: Dataset): Dataset => ({ ...d, images: d.images.map((v) => (v >= 0.5 ? 1 : 0)) });

export const resolveDataset = (nameOrPath: string, o: ResolveOptions = {}): E.Either<DataError, Dataset> => {
  const d = load(nameOrPath, o);
  if (E.isLeft(d)) return d;
  if (d.right.n === 0) return E.left(dataError(nameOrPath, 'holds no examples'));
  const bad = firstNonFinite(d.right);
  if (bad >= 0) {
    const v = d.right.images.subarray(bad * d.right.dim, (bad + 1) * d.right.dim).find((x) => !Number.isFinite(x));
    return E.left(dataError(nameOrPath, `example ${bad} holds a non-finite value (${v}); clean the data first`));
  }
  return E.right(o.binarise ? binarised(d.right) : d.right);
};
