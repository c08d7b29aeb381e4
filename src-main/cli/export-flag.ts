/**
 * The CLI's export flags (`clab teacher --out`, `clab distill --export`, `clab runs resume --export`): the user
 * may name any folder except the data folder's own files (see files/safe-paths.ts). A refusal is a usage
 * error (exit code 2) naming the flag and the path. Checked before a run starts, so a refused folder costs no
 * training, and again when the files are written.
 */
import { checkExportTarget } from '../files/safe-paths'
import { UnsafePathError } from '../files/safe-fs'
import { UsageError } from './args'

/** Runs `fn`, turning a refused path into a UsageError that names `flag`. */
export function underExportFlag<T>(flag: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof UnsafePathError) throw new UsageError(`${flag}: ${error.message}`)
    throw error
  }
}

/** `dir` (absolute) when an export may write there for the data folder `root`; otherwise a UsageError naming `flag`. */
export function checkExportFlag(root: string, dir: string, flag: string): string {
  return underExportFlag(flag, () => checkExportTarget(root, dir))
}
