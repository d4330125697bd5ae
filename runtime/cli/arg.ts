// Commander wants InvalidArgumentError from option parsers; ours throw CliError. `arg(parse)`
// adapts one, so every command's option parsing reports the same one-line reason.
import { InvalidArgumentError } from 'commander';

export const arg =
  <T>(parse: (raw: string) => T) =>
  (raw: string): T => {
    try {
      return parse(raw);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message.replace(/^--\S+ /, '') : String(err));
    }
  };
