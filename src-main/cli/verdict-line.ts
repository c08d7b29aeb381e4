/**
 * The warning a run that finished but went wrong gets on the terminal (the exit code stays 0: the run did
 * what it was asked; the line says its result is not one to use). Amber on a terminal that shows colours.
 */
import type { RunSummary } from '@shared/store/types'

const AMBER = '\u001b[33m'
const RESET = '\u001b[0m'

/** The line for `run`, or null when it has no verdict. `color`: wrap it in the amber escape codes. */
export function verdictLine(run: Pick<RunSummary, 'id' | 'verdict' | 'verdictReason'>, color: boolean): string | null {
  if (!run.verdict) return null
  const text = `warning: run ${run.id} ${run.verdict}: ${run.verdictReason ?? 'no reason recorded'}; its samples are not a distillation of the teacher`
  return color ? `${AMBER}${text}${RESET}` : text
}

/** Writes the verdict line to stderr (coloured when stderr is a terminal and NO_COLOR is unset). */
export function warnVerdict(run: Pick<RunSummary, 'id' | 'verdict' | 'verdictReason'>): void {
  const line = verdictLine(run, process.stderr.isTTY === true && !process.env.NO_COLOR)
  if (line) process.stderr.write(`${line}\n`)
}
