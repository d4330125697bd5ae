// Fashion-MNIST from the files Debian's `dataset-fashion-mnist` package installs (60,000 + 10,000).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { dataError, type DataError } from './errors';
import type { Dataset } from '../../core/dataset';
import { idxDataset } from './idxDataset';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** `split` 'train' (60,000) or 'test' (10,000); `HOURGLASS_FASHION_MNIST` overrides the folder. */
export const loadFashionMnist = (split: 'train' | 't10k' = 'train', dir = process.env.HOURGLASS_FASHION_MNIST ?? FASHION_DIR): E.Either<DataError, Dataset> => {
  const images = join(dir, `${split}-images-idx3-ubyte.gz`);
  if (!existsSync(images))
    return E.left(dataError('fashion-mnist', `not installed (no ${images}); install it with: sudo apt-get install dataset-fashion-mnist`));
  return E.map((d: Dataset) => ({ ...d, name: split === 'train' ? 'fashion-mnist' : 'fashion-mnist-test' }))(idxDataset(images));
};
