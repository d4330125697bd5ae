// Data problems are values: which file (or data set name) and what is wrong with it, in one line.
export interface DataError {
  readonly file: string;
  readonly message: string;
}

export const dataError = (file: string, message: string): DataError => ({ file, message });

export const showDataError = (e: DataError): string => `${e.file}: ${e.message}`;
