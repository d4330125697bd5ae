// Learning-rate schedules against their textbook definitions, and one-line refusals.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { describe, expect } from 'vitest';
import { parseLrSchedule } from '../runtime/core/lrSchedule';

const lr = fc.double({ min: 1e-6, max: 1, noNaN: true });
const epochs = fc.integer({ min: 1, max: 200 });
const must = (text: string, l: number, n: number) => {
  const r = parseLrSchedule(text, l, n);
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};

describe('learning-rate schedules', () => {
  test.prop([lr, epochs])('constant is the base rate every epoch', (l, n) => {
    const f = must('constant', l, n);
    for (let e = 1; e <= n; e++) expect(f(e)).toBe(l);
  });

  test.prop([lr, epochs, fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.1, max: 0.99, noNaN: true })])(
    'step:every:factor multiplies by factor once per `every` epochs',
    (l, n, every, factor) => {
      const f = must(`step:${every}:${factor}`, l, n);
      for (let e = 1; e <= n; e++) {
        expect(f(e)).toBeCloseTo(l * factor ** Math.floor((e - 1) / every), 12);
        if (e > 1) expect(f(e) === f(e - 1)).toBe((e - 1) % every !== 0);
      }
    },
  );

  test.prop([lr, fc.integer({ min: 2, max: 200 }), fc.double({ min: 0.001, max: 0.5, noNaN: true })])(
    'cosine starts at lr, ends at lr·floor, never rises, and is symmetric about the middle',
    (l, n, floor) => {
      const f = must(`cosine:${floor}`, l, n);
      expect(f(1)).toBeCloseTo(l, 12);
      expect(f(n)).toBeCloseTo(l * floor, 12);
      for (let e = 2; e <= n; e++) expect(f(e)).toBeLessThanOrEqual(f(e - 1) + 1e-15);
      for (let e = 1; e <= n; e++) expect(f(e) + f(n + 1 - e)).toBeCloseTo(l * (1 + floor), 10);
    },
  );

  test.prop([lr, epochs, fc.double({ min: 0.5, max: 0.999, noNaN: true })])('exp:gamma decays geometrically', (l, n, g) => {
    const f = must(`exp:${g}`, l, n);
    for (let e = 2; e <= n; e++) expect(f(e) / f(e - 1)).toBeCloseTo(g, 10);
  });

  test.each(['linear', 'step:0:0.5', 'step:2', 'step:2:-1', 'exp:0', 'cosine:2', 'constant:3'])('%s is refused in one line naming the form', (text) => {
    const r = parseLrSchedule(text, 1e-3, 10);
    expect(E.isLeft(r) && r.left).toMatch(new RegExp(`^--lr-schedule ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*forms: constant`));
  });
});
