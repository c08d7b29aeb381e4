/**
 * `clab teacher`: validates first (cheap), then loads the engine (tfjs) to train.
 */
import type { TeacherConfig } from '@shared/config/schemas'
import { TEACHER_FIELDS } from '@shared/config/teacher-fields'
import { ConfigError, parseTeacherConfig } from '@shared/config/validate'
import { isImageDatasetRef } from '@shared/data/dataset-ref'
import { pickConfig, TEACHER_FLAGS, usageFromConfigError } from './args'
import { resolveDatasetOption } from './dataset-arg'

export interface TeacherOptions extends Record<string, unknown> {
  out?: string
  json?: boolean
  dataDir?: string
}

export async function teacherCommand(options: TeacherOptions): Promise<number> {
  let config: TeacherConfig
  resolveDatasetOption(options)
  if (options.model === undefined && typeof options.dataset === 'string' && isImageDatasetRef(options.dataset))
    options.model = 'unet'
  try {
    // Validation includes the schedule: a last step that is not noise is reported on --T.
    config = parseTeacherConfig(pickConfig(options, TEACHER_FIELDS))
  } catch (error) {
    if (error instanceof ConfigError) throw usageFromConfigError(error, TEACHER_FLAGS)
    throw error
  }
  const { runTeacherCommand } = await import('./teacher-run')
  return runTeacherCommand(config, options)
}
