/**
 * A dataset file that cannot be imported as it is. The message starts with the file's path and says what
 * was found, so the CLI can print it as is and the app can show it next to the file picker; `code` lets
 * callers and tests tell the problems apart without matching text.
 */
export type DatasetFileProblem =
  | 'UNREADABLE'
  | 'BAD_MAGIC'
  | 'UNSUPPORTED'
  | 'TRUNCATED'
  | 'TRAILING_DATA'
  | 'CORRUPT_GZIP'
  | 'BAD_SIZE'
  | 'BAD_DIMENSIONS'
  | 'BAD_LABEL'
  | 'COUNT_MISMATCH'
  | 'UNPAIRED'
  | 'MIXED'
  | 'BAD_STORED'
  | 'TOO_LARGE'

export class DatasetFileError extends Error {
  readonly code = 'DATASET_FILE'
  constructor(
    readonly file: string,
    readonly problem: DatasetFileProblem,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, options)
    this.name = 'DatasetFileError'
  }
}

/** "28×28", "32×32×3": how shapes read in messages. */
export function shapeText(dims: readonly number[]): string {
  return dims.join('×')
}
