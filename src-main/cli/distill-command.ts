/**
 * `clab distill`: validates everything first (cheap), then loads the engine (tfjs) to run.
 */
import { PRESETS, type PresetName } from '@shared/config/presets'
import type { DistillConfig } from '@shared/config/schemas'
import { ConfigError, parseDistillConfig } from '@shared/config/validate'
import type { DistillHeader, Snapshot } from '../engine/snapshot'
import { CheckpointError, readCheckpoint } from '../files/checkpoint-file'
import { DISTILL_FLAGS, pickConfig, UsageError, usageFromConfigError } from './args'

export interface DistillOptions extends Record<string, unknown> {
  preset?: string
  resume?: string
  checkpointDir?: string
  export?: string
  json?: boolean
}

function resolveConfig(options: DistillOptions, resume: Snapshot<DistillHeader> | null) {
  if (resume) {
    // A resumed run keeps its config (same seed, same everything); only the total step count may grow.
    const steps = options.steps as number | undefined
    return parseDistillConfig({ ...resume.header.config, ...(steps !== undefined ? { steps } : {}) })
  }
  let presetValues = {}
  if (options.preset !== undefined) {
    if (!(options.preset in PRESETS)) {
      throw new UsageError(`--preset: unknown preset "${options.preset}"; expected one of ${Object.keys(PRESETS).join(', ')}`)
    }
    presetValues = PRESETS[options.preset as PresetName].values
  }
  return parseDistillConfig({ ...presetValues, ...pickConfig(options, DISTILL_FLAGS) })
}

function readResume(path: string): Snapshot<DistillHeader> {
  try {
    const snapshot = readCheckpoint(path)
    if (snapshot.header.kind !== 'distill') throw new UsageError(`--resume: ${path} is a ${snapshot.header.kind} checkpoint, not a distillation`)
    return snapshot as Snapshot<DistillHeader>
  } catch (error) {
    if (error instanceof CheckpointError) throw new UsageError(`--resume: ${error.message}`)
    throw error
  }
}

export async function distillCommand(options: DistillOptions): Promise<number> {
  const resume = options.resume ? readResume(options.resume) : null
  let config: DistillConfig
  try {
    config = resolveConfig(options, resume)
  } catch (error) {
    if (error instanceof ConfigError) throw usageFromConfigError(error, DISTILL_FLAGS)
    throw error
  }
  const { runDistillCommand } = await import('./distill-run')
  return runDistillCommand(config, options, resume)
}
