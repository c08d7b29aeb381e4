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

/** The run's stored name, else (runs stored before names existed) the one derived from its config. */
export function storedRunName(kind: string, name: string | null, config: unknown): string {
  return name ?? defaultRunName(kind, storedEffectiveConfig(kind, config))
}
