// Learning-rate schedules, per epoch (1-based). The rate is a train-step input, so changing it
// never recompiles anything.
import * as E from 'fp-ts/Either';

export type LrSchedule = (epoch: number) => number;

export const SCHEDULE_FORMS = ['constant', 'step:<every>:<factor>', 'exp:<gamma>', 'cosine[:<floor-fraction>]'] as const;

const positive = (x: number) => Number.isFinite(x) && x > 0;

/**
 * `constant`; `step:10:0.5` multiplies by 0.5 every 10 epochs; `exp:0.95` multiplies by 0.95 each
 * epoch; `cosine` (or `cosine:0.01`) falls from lr to lr·floor along half a cosine over the run.
 */
export const parseLrSchedule = (text: string, lr: number, epochs: number): E.Either<string, LrSchedule> => {
  const [form, ...args] = text.split(':');
  const nums = args.map(Number);
  const bad = (why: string) => E.left(`--lr-schedule ${text}: ${why} (forms: ${SCHEDULE_FORMS.join(', ')})`);
  if (!positive(lr)) return bad(`the learning rate must be positive, got ${lr}`);
  switch (form) {
    case 'constant':
      return args.length ? bad('takes no arguments') : E.right(() => lr);
    case 'step': {
      const [every, factor] = nums;
      if (nums.length !== 2 || !Number.isInteger(every) || every < 1 || !positive(factor)) return bad('needs a whole number of epochs and a positive factor');
      return E.right((e) => lr * factor ** Math.floor((e - 1) / every));
    }
    case 'exp': {
      const [gamma] = nums;
      if (nums.length !== 1 || !positive(gamma)) return bad('needs a positive gamma');
      return E.right((e) => lr * gamma ** (e - 1));
    }
    case 'cosine': {
      const floor = nums.length ? nums[0] : 0.01;
      if (nums.length > 1 || !(floor > 0 && floor <= 1)) return bad('takes one floor fraction in (0, 1]');
      return E.right((e) => {
        const t = epochs <= 1 ? 0 : (e - 1) / (epochs - 1);
        return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
      });
    }
    default:
      return bad('unknown form');
  }
};
