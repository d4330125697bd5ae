// Core IR vocabulary: dtypes, shapes with a symbolic batch dimension, and errors as values.

export type DType = 'f32' | 'f64' | 'bool' | 'i64';
export type FloatDType = 'f32' | 'f64';

/** The symbolic batch dimension. Every other dimension is a literal size. */
export const BATCH = 'B' as const;
export type Dim = number | typeof BATCH;
export type Shape = readonly Dim[];

export interface TensorType {
  readonly shape: Shape;
  readonly dtype: DType;
}

export const showShape = (s: Shape): string => `[${s.join(', ')}]`;
export const showType = (t: TensorType): string => `${t.dtype}${showShape(t.shape)}`;

export const sameShape = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** A user-facing compile error: `path` is the combinator path (e.g. `model.encoder.dense1`). */
export interface CompileError {
  readonly path: string;
  readonly message: string;
}

export const compileError = (path: string, message: string): CompileError => ({ path, message });
export const showError = (e: CompileError): string => (e.path ? `${e.path}: ${e.message}` : e.message);

/** Thrown only for broken compiler invariants, never for user mistakes. */
export class CompilerBug extends Error {
  constructor(message: string) {
    super(`compiler bug: ${message}`);
    this.name = 'CompilerBug';
  }
}

/** Static size of a shape (null if it contains the batch dimension). */
export const staticSize = (s: Shape): number | null =>
  s.every((d) => typeof d === 'number') ? (s as number[]).reduce((a, b) => a * b, 1) : null;
