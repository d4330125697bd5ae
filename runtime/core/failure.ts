// How the CLI ends: a one-line reason on stderr and a documented exit code (README, "Exit codes").
// The codes follow BSD sysexits.h so scripts can tell a user's mistake from a bug.

export const EXIT = {
  /** Usage: an unknown or malformed flag, flags that contradict each other or a run's settings. */
  usage: 2,
  /** Bad data or file content: a corrupt data set, checkpoint, manifest or spec. */
  dataErr: 65,
  /** Missing input: a spec, data set or run that is not there. */
  noInput: 66,
  /** An unavailable service: an execution provider that cannot be used, or an optional package a command needs (install hint in the message). */
  unavailable: 69,
  /** A bug in Hourglass itself (reported with a line asking to file it). */
  software: 70,
  /** An output that cannot be created: unwritable, not a directory, not a run directory. */
  cantCreate: 73,
  /** The disk (or quota) is full or read-only: ENOSPC, EDQUOT, EROFS. Free space and --resume. */
  noSpace: 74,
  /** The run directory is locked by another hourglass (or by one that died: the line says how to clear it). */
  busy: 75,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure as a value: the one-line reason and the exit code it ends with. */
export interface Failure {
  readonly message: string;
  readonly exitCode: ExitCode;
}

export const failure = (exitCode: ExitCode, message: string): Failure => ({ message, exitCode });

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.dataErr,
  ) {
    super(message);
  }
}

export const orFail = <A>(e: { _tag: 'Left'; left: string | Failure } | { _tag: 'Right'; right: A }, exitCode: number = EXIT.dataErr): A => {
  if (e._tag === 'Left') throw typeof e.left === 'string' ? new CliError(e.left, exitCode) : new CliError(e.left.message, e.left.exitCode);
  return e.right;
};

/** Plain decimal numerals only: "0x10", "1e3" for an integer, " 5", "+5" or "" are refused. */
const DECIMAL = /^-?(\d+(\.\d+)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$/;
const DECIMAL_INT = /^-?\d+$/;

export const parseNumber =
  (what: string, check: (x: number) => boolean, rule: string, form = DECIMAL) =>
  (raw: string): number => {
    const x = Number(raw);
    if (!form.test(raw) || !Number.isFinite(x) || !check(x)) throw new CliError(`--${what} must be ${rule}, got ${JSON.stringify(raw)}`, EXIT.usage);
    return x;
  };

/** An integer in [lo, hi], the range named in the error (e.g. "4 × the 2 cores"). */
export const intIn = (what: string, lo: number, hi: number, why = '') =>
  parseNumber(what, (x) => Number.isSafeInteger(x) && x >= lo && x <= hi, `an integer in [${lo}, ${hi}]${why ? ` (${why})` : ''}`, DECIMAL_INT);

export const positiveInt = (what: string) => parseNumber(what, (x) => Number.isSafeInteger(x) && x > 0, 'a positive decimal integer', DECIMAL_INT);
export const positive = (what: string) => parseNumber(what, (x) => x > 0, 'a positive number');
export const integer = (what: string) => parseNumber(what, (x) => Number.isSafeInteger(x), 'a decimal integer', DECIMAL_INT);

/** Seeds feed 32-bit generators: the range is [0, 2^32), never wrapped silently. */
export const SEED_LIMIT = 2 ** 32;
export const seed = (what: string) => parseNumber(what, (x) => Number.isInteger(x) && x >= 0 && x < SEED_LIMIT, 'a decimal integer in [0, 4294967296)', DECIMAL_INT);

/** The last line of a crash that is Hourglass's fault, not the user's. */
export const REPORT_BUG = 'this is a bug in Hourglass; please report it with the command line and HOURGLASS_DEBUG=1 output';

/** A fraction in [0, 1). */
export const fraction = (what: string) => parseNumber(what, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
