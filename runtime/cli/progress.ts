// Progress on long work: a live bar on a terminal, plain lines in logs and pipes.
import cliProgress from 'cli-progress';
import type { EpochReport } from '../core/loop';

const fmt = (losses: Record<string, number>) =>
  Object.entries(losses)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join('  ');

export interface Progress {
  step(step: number, stepInEpoch: number, perEpoch: number, losses: Record<string, number>): void;
  epoch(r: EpochReport): void;
  stop(): void;
}

export const progress = (epochs: number, batch: number, tty = Boolean(process.stderr.isTTY)): Progress => {
  if (!tty) {
    return {
      step: () => {},
      epoch: (r) =>
        console.log(`epoch ${r.epoch}/${epochs}  ${r.steps} steps  ${((r.steps * batch) / r.seconds).toFixed(0)} examples/s  train: ${fmt(r.train)}  held-out: ${fmt(r.heldOut)}`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps | {rate} ex/s | {losses}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let epochStart = performance.now();
  let started = false;
  let current = 0;
  return {
    step: (step, inEpoch, perEpoch, losses) => {
      if (!started || inEpoch === 1) {
        if (started) bar.stop();
        current = Math.floor((step - inEpoch) / perEpoch) + 1;
        bar.start(perEpoch, inEpoch, { epoch: current, epochs, rate: '-', losses: '' });
        epochStart = performance.now();
        started = true;
      }
      const rate = ((inEpoch * batch) / ((performance.now() - epochStart) / 1000)).toFixed(0);
      bar.update(inEpoch, { rate, losses: fmt(losses) });
    },
    epoch: (r) => {
      if (started) bar.stop();
      started = false;
      process.stderr.write(`  held-out: ${fmt(r.heldOut)}\n`);
    },
    stop: () => started && bar.stop(),
  };
};
