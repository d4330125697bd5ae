// Everything the report shows, gathered from a run directory: run.json, metrics.jsonl, the
// spec's source, the held-out split's size, evaluation.json when `hourglass evaluate` wrote
// one, and the figures (drawn now).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { buildFigures, type FigureOptions } from '../figures/build';
import { openFigureRun } from '../figures/run';
import type { ReportInput } from './html';

const flatten = (o: unknown, prefix = ''): [string, number | string][] => {
  if (typeof o === 'number' || typeof o === 'string') return [[prefix, o]];
  if (typeof o !== 'object' || o === null) return [];
  return Object.entries(o).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
};

export const collectReport = async (dir: string, o: FigureOptions = {}): Promise<E.Either<string, ReportInput>> => {
  const opened = await openFigureRun(dir);
  if (E.isLeft(opened)) return E.left(opened.left.message);
  const run = opened.right;
  const figures = await buildFigures(dir, o);
  if (E.isLeft(figures)) return figures;
  const specFile = [resolve(run.run.spec), resolve(dir, run.run.spec)].find((p) => existsSync(p));
  const last = run.metrics[run.metrics.length - 1];
  const names = last ? [...new Set([...Object.keys(last.train ?? {}), ...Object.keys(last.heldOut ?? {})])] : [];
  const data: [string, string][] = [['data set', String(run.run.settings.data)]];
  const split = run.run.split;
  data.push(['example shape', `[${run.inputShape.join(', ')}]`]);
  if (split?.heldOutData) data.push(['split', `${split.train} train (all of ${split.data}) / ${split.heldOutN} held out (${split.heldOutData})`]);
  else if (split)
    data.push(['split', `${split.train} train / ${split.heldOutN} held out: a fixed split (${+(split.heldOut * 100).toFixed(2)}% held out, seed ${split.seed}, the same for every training seed)`]);
  else data.push(['split', '20% held out: the fixed split (the same for every training seed)']);
  if (split?.binarise) data.push(['binarised', 'pixels thresholded at 0.5']);
  if (o.data) data.push(['figures drawn from', o.data]);
  const evalPath = join(dir, 'evaluation.json');
  // Held-out metrics chosen at train time (train --eval) ride on metrics.jsonl lines as `eval`.
  const during = [...run.metrics].reverse().find((l) => typeof (l as { eval?: unknown }).eval === 'object');
  let metrics: Record<string, number | string> | undefined = during
    ? Object.fromEntries(flatten((during as { eval?: unknown }).eval).map(([k, v]) => [`${k} (epoch ${during.epoch})`, v]))
    : undefined;
  if (existsSync(evalPath)) {
    try {
      metrics = { ...metrics, ...Object.fromEntries(flatten(JSON.parse(readFileSync(evalPath, 'utf8')))) };
    } catch {
      return E.left(`${evalPath}: not valid JSON`);
    }
  }
  const params = (run.run as { params?: unknown }).params;
  return E.right({
    title: `Hourglass report: ${run.run.model} (${dir})`,
    specPath: run.run.spec,
    specSource: specFile ? readFileSync(specFile, 'utf8') : undefined,
    settings: { model: run.run.model, ...(params && typeof params === 'object' ? { params } : {}), ...run.run.settings, specHash: run.run.specHash.slice(0, 16) },
    data,
    terms: names.map((name) => ({ name, train: last?.train?.[name], heldOut: last?.heldOut?.[name] })),
    metrics,
    figures: figures.right,
    generated: new Date().toISOString(),
  });
};
