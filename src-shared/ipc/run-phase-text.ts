/** How a run's phase (#19, RunPhase) reads in the Live view and on the terminal: one wording for both. */
import type { RunPhase, RunPhaseName } from './api'

export const PHASE_LABELS: Record<RunPhaseName, string> = {
  engine: 'starting engine (loading backend)',
  preparing: 'preparing the first step (loading the teacher)',
  classifier: "training the dataset's classifier (once per dataset)",
  reference: 'measuring the teacher (K = 1, 10, 100)',
  evaluation: 'final evaluation',
}

/** What the phase's count counts, when it has one. */
const COUNTED: Partial<Record<RunPhaseName, string>> = {
  evaluation: 'models x NFE',
  classifier: 'steps',
}

/** `final evaluation: 3 of 7 models x NFE, 12.4 s` (the count only when the phase has one). */
export function phaseText(phase: RunPhase, now: number): string {
  const count =
    phase.total > 0 ? `: ${phase.done} of ${phase.total}${COUNTED[phase.name] ? ` ${COUNTED[phase.name]}` : ''}` : ''
  return `${PHASE_LABELS[phase.name]}${count}, ${elapsedText(now - phase.since)}`
}

/** Seconds with one decimal below a minute, then minutes and seconds. */
export function elapsedText(ms: number): string {
  const s = Math.max(0, ms) / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`
}
