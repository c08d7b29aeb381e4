/**
 * `clab distill`: validates everything first (cheap), then starts the run through the RunService.
 */
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { isPresetName, PRESETS } from '@shared/config/presets'
import type { DistillConfig } from '@shared/config/schemas'
import { ConfigError, parseDistillConfig } from '@shared/config/validate'
import { DISTILL_FLAGS, pickConfig, UsageError, usageFromConfigError } from './args'
import { resolveDatasetOption } from './dataset-arg'

export interface DistillOptions extends Record<string, unknown> {
  preset?: string
  export?: string
  json?: boolean
  dataDir?: string
  tag?: string[]
}

export function resolveDistillConfig(options: DistillOptions, extra: Record<string, unknown> = {}): DistillConfig {
  resolveDatasetOption(options)
  let presetValues = {}
  if (options.preset !== undefined) {
    if (!isPresetName(options.preset)) {
      throw new UsageError(
        `--preset: unknown preset "${options.preset}"; expected one of ${Object.keys(PRESETS).join(', ')}`,
      )
    }
    presetValues = PRESETS[options.preset].values
  }
  try {
    return parseDistillConfig({ ...presetValues, ...pickConfig(options, DISTILL_FIELDS), ...extra })
  } catch (error) {
    if (error instanceof ConfigError) throw usageFromConfigError(error, DISTILL_FLAGS)
    throw error
  }
}

export async function distillCommand(options: DistillOptions): Promise<number> {
  const config = resolveDistillConfig(options)
  const { runDistillCommand } = await import('./distill-run')
  return runDistillCommand(config, options)
}
