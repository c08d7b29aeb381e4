/**
 * A run's stored config as the history hands it out: the config as asked and, beside it, what the run
 * trains with (storedEffectiveConfig). The effective config is a pure function of the stored one, so it is
 * computed on read: no column to migrate, and records from before it existed read the same way.
 */
import { storedEffectiveConfig } from '@shared/config/effective'
import { defaultRunName } from '@shared/run-name'

export function readRunConfig(
  kind: string,
  configJson: string | null | undefined,
): { config: unknown; effectiveConfig: unknown } {
  const config = configJson === null || configJson === undefined ? null : (JSON.parse(configJson) as unknown)
  return { config, effectiveConfig: storedEffectiveConfig(kind, config) }
}

/** Derived names by kind and stored config text: lists of older runs are read again and again (polling). */
const DERIVED_NAMES = new Map<string, string>()

/** The run's stored name, else (runs stored before names existed) the one derived from its stored config. */
export function storedRunName(kind: string, name: string | null, configJson: string | null | undefined): string {
  if (name !== null) return name
  const key = `${kind}\n${configJson ?? 'null'}`
  let derived = DERIVED_NAMES.get(key)
  if (derived === undefined) {
    const config = configJson === null || configJson === undefined ? null : (JSON.parse(configJson) as unknown)
    derived = defaultRunName(kind, storedEffectiveConfig(kind, config))
    if (DERIVED_NAMES.size >= 50_000) DERIVED_NAMES.clear()
    DERIVED_NAMES.set(key, derived)
  }
  return derived
}
