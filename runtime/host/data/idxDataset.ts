// An IDX image file (and its labels file beside it, when there is one) as a Dataset in [0, 1].
import { existsSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import { dataError, type DataError } from './errors';
import type { Dataset } from '../../core/dataset';
import { loadIdx } from './idx';

/** `train-images-idx3-ubyte[.gz]` → `train-labels-idx1-ubyte[.gz]`. */
const labelsBeside = (path: string): string | undefined => {
  const p = path.replace('-images-idx3-', '-labels-idx1-');
  return p !== path && existsSync(p) ? p : undefined;
};

export const idxDataset = (path: string): E.Either<DataError, Dataset> => {
  const img = loadIdx(path);
  if (E.isLeft(img)) return img;
  const { shape, values, type } = img.right;
  if (shape.length < 2) return E.left(dataError(path, `holds a ${shape.length}-D array [${shape.join(', ')}]; expected examples × features (e.g. [n, 28, 28])`));
  const n = shape[0];
  const per = shape.slice(1);
  const dim = per.reduce((a, b) => a * b, 1);
  if (type === 'uint8') for (let i = 0; i < values.length; i++) values[i] /= 255;
  let labels: Uint8Array | undefined;
  const lp = labelsBeside(path);
  if (lp) {
    const l = loadIdx(lp);
    if (E.isLeft(l)) return l;
    if (l.right.shape.length !== 1 || l.right.shape[0] !== n)
      return E.left(dataError(lp, `has shape [${l.right.shape.join(', ')}], but ${path} holds ${n} examples`));
    labels = Uint8Array.from(l.right.values);
  }
  return E.right({ name: path, images: values, labels, n, shape: per, dim });
};
