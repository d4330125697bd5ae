// Data problems are values: which file (or data set name) and what is wrong with it, in one line.
export interface DataError {
  readonly file: string;
  readonly message: string;
  /** The file or data set is not there (as opposed to being there and wrong). */
  readonly missing?: boolean;
}

export const dataError = (file: string, message: string, missing?: boolean): DataError => (missing ? { file, message, missing } : { file, message });

export const showDataError = (e: DataError): string => `${e.file}: ${e.message}`;
