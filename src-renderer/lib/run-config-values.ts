/**
 * A run's config values as it asked for them and as it trained with them. The history hands out each
 * run's effective config beside its config (iCT trains with mu 0 and inverse-gap weighting whatever it
 * asked); tables, filters and the diff show the effective value, with the asked one beside it where the
 * two differ. A row without `effectiveConfig` (an event's summary merged in, a test fixture) gets it from
 * the same function the history uses.
 */
import { differingFields, storedEffectiveConfig } from '@shared/config/effective'
import type { RunListItem } from '@shared/store/types'

/** What reading a run's config needs: a listed run or a run. */
export type ConfigRow = Pick<RunListItem, 'kind' | 'config' | 'effectiveConfig'>

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

/** The config as asked (null for a run listed without it). */
export function configOf(row: ConfigRow): Record<string, unknown> | null {
  return asRecord(row.config)
}

// Rows are replaced, never mutated, so a computed effective config is kept per row object.
const computed = new WeakMap<object, Record<string, unknown> | null>()

/** The config the run trains with (null for a run listed without config). */
export function effectiveConfigOf(row: ConfigRow): Record<string, unknown> | null {
  if (row.effectiveConfig !== undefined) return asRecord(row.effectiveConfig)
  let effective = computed.get(row)
  if (effective === undefined) {
    effective = asRecord(storedEffectiveConfig(row.kind, row.config))
    computed.set(row, effective)
  }
  return effective
}

/** A config field as a number, or null (missing, wrong type, or a teacher run without it). */
export function configNumber(row: ConfigRow, field: string): number | null {
  const v = configOf(row)?.[field]
  return typeof v === 'number' ? v : null
}

export function configString(row: ConfigRow, field: string): string | null {
  const v = configOf(row)?.[field]
  return typeof v === 'string' ? v : null
}

/** A field's effective value as a number, or null. */
export function effectiveNumber(row: ConfigRow, field: string): number | null {
  const v = effectiveConfigOf(row)?.[field]
  return typeof v === 'number' ? v : null
}

/**
 * Whether the run asked `field` and trains with another value; then `asked` is what it asked. A field the
 * stored config lacks (a record from before it existed) asked nothing.
 */
export function askedInstead(row: ConfigRow, field: string): { asked: unknown } | null {
  const difference = differingFields(onlyField(configOf(row), field), effectiveConfigOf(row))[0]
  return difference ? { asked: difference.requested } : null
}

function onlyField(config: Record<string, unknown> | null, field: string): Record<string, unknown> {
  return config !== null && Object.hasOwn(config, field) ? { [field]: config[field] } : {}
}

/** A value's text with the asked value beside it where the run asked another: `0 (asked 0.95)`. */
export function withAsked(row: ConfigRow, field: string, text: string, format: (value: unknown) => string): string {
  const instead = askedInstead(row, field)
  return instead ? `${text} (asked ${format(instead.asked)})` : text
}
