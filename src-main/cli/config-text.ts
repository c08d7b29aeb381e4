/**
 * A stored run's config as `clab runs show` prints it: the values the run trained with (its effective
 * config: iCT's mu 0 and inverse-gap weighting whatever it asked), each asked value beside its field where
 * the run asked another, so the terminal says what ran and what was asked, as the app's tables do.
 */
import { differingFields } from '@shared/config/effective'
import type { Run } from '@shared/store/types'

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value))

/** `key=value` pairs of the effective config, `key=value (asked X)` where the asked value differs. */
export function effectiveConfigText(run: Pick<Run, 'config' | 'effectiveConfig'>): string {
  const effective = run.effectiveConfig ?? run.config
  if (effective === null || typeof effective !== 'object' || Array.isArray(effective)) return text(effective)
  const asked = new Map(differingFields(run.config, effective).map((d) => [d.field, d.requested]))
  return Object.entries(effective as Record<string, unknown>)
    .map(([key, value]) => `${key}=${text(value)}${asked.has(key) ? ` (asked ${text(asked.get(key))})` : ''}`)
    .join(', ')
}
