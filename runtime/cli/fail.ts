// How the CLI ends: a one-line reason on stderr and a non-zero exit code.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const orFail = <A>(e: { _tag: 'Left'; left: string } | { _tag: 'Right'; right: A }): A => {
  if (e._tag === 'Left') throw new CliError(e.left);
  return e.right;
};

export const parseNumber =
  (what: string, check: (x: number) => boolean, rule: string) =>
  (raw: string): number => {
    const x = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(x) || !check(x)) throw new CliError(`--${what} must be ${rule}, got ${JSON.stringify(raw)}`, 2);
    return x;
  };

export const positiveInt = (what: string) => parseNumber(what, (x) => Number.isInteger(x) && x > 0, 'a positive integer');
export const positive = (what: string) => parseNumber(what, (x) => x > 0, 'a positive number');
/** A fraction in [0, 1). */
export const fraction = (what: string) => parseNumber(what, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
export const integer = (what: string) => parseNumber(what, (x) => Number.isInteger(x), 'an integer');
