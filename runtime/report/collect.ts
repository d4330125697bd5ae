// Everything the report shows, gathered from a run directory: run.json, metrics.jsonl, the
// spec's source, the held-out split's size, evaluation.json when `hourglass evaluate` wrote
// one, and the figures (drawn now).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import { buildFigures, type FigureOptions } from '../figures/build';
import { heldOutOf, openRun } from '../figures/run';
import type { ReportInput } from './html';

const flatten = (o: unknown, prefix = ''): [string, number | string][] => {
  if (typeof o === 'number' || typeof o === 'string') return [[prefix, o]];
  if (typeof o !== 'object' || o === null) return [];
  return Object.entries(o).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
};

export const collectReport = async (dir: string, o: FigureOptions = {}): Promise<E.Either<string, ReportInput>> => {
  const opened = await openRun(dir);
  if (E.isLeft(opened)) return opened;
  const run = opened.right;
  const figures = await buildFigures(dir, o);
  if (E.isLeft(figures)) return figures;
  const specFile = [resolve(run.run.spec), resolve(dir, run.run.spec)].find((p) => existsSync(p));
  const last = run.metrics[run.metrics.length - 1];
  const names = last ? [...new Set([...Object.keys(last.train ?? {}), ...Object.keys(last.heldOut ?? {})])] : [];
  const data: [string, string][] = [['data set', String(run.run.settings.data)]];
  const held = heldOutOf(run, o.data);
  if (E.isRight(held)) {
    const fraction = typeof run.run.settings.heldOut === 'number' ? (run.run.settings.heldOut as number) : 0.2;
    const total = Math.round(held.right.n / fraction);
    data.push(['examples', `${total} of shape [${run.inputShape.join(', ')}] (about)`]);
    data.push(['split', `${total - held.right.n} train / ${held.right.n} held out: a fixed split (${fraction * 100}% held out, the same for every seed)`]);
  } else data.push(['split', `(data not available here: ${held.left})`]);
  const evalPath = join(dir, 'evaluation.json');
  let metrics: Record<string, number | string> | undefined;
  if (existsSync(evalPath)) {
    try {
      metrics = Object.fromEntries(flatten(JSON.parse(readFileSync(evalPath, 'utf8'))));
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
