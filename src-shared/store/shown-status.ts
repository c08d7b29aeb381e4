/**
 * The status a run is shown with: its stored status, except that a finished run with a verdict shows the
 * verdict (`diverged`), so the lists, badges and status filters of the CLI and the UI tell it apart from a
 * run that finished well. Filtering by `finished` leaves the diverged runs out.
 */
import { RUN_VERDICTS, type RunVerdict } from '../cd/verdict'
import { RUN_STATUSES, type RunStatus, type RunSummary } from './types'

export type ShownStatus = RunStatus | RunVerdict

export const SHOWN_STATUSES: readonly ShownStatus[] = [...RUN_STATUSES, ...RUN_VERDICTS]

export function isShownStatus(value: unknown): value is ShownStatus {
  return typeof value === 'string' && (SHOWN_STATUSES as readonly string[]).includes(value)
}

export function shownStatus(run: Pick<RunSummary, 'status' | 'verdict'>): ShownStatus {
  return run.status === 'finished' && run.verdict ? run.verdict : run.status
}

/** The history's filter for runs shown with `shown`. */
export function statusFilterOf(shown: ShownStatus): { status: RunStatus; verdict?: RunVerdict | 'none' } {
  if ((RUN_VERDICTS as readonly string[]).includes(shown)) return { status: 'finished', verdict: shown as RunVerdict }
  if (shown === 'finished') return { status: 'finished', verdict: 'none' }
  return { status: shown as RunStatus }
}
