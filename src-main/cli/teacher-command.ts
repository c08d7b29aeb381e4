/**
 * `clab teacher`: validates first (cheap), then loads the engine (tfjs) to train.
 */
import type { TeacherConfig } from '@shared/config/schemas'
import { ConfigError, parseTeacherConfig } from '@shared/config/validate'
import { makeSchedule, ScheduleError } from '@shared/cd/schedule'
import { pickConfig, TEACHER_FLAGS, UsageError, usageFromConfigError } from './args'

export interface TeacherOptions extends Record<string, unknown> {
  out?: string
  json?: boolean
  dataDir?: string
}

export async function teacherCommand(options: TeacherOptions): Promise<number> {
  let config: TeacherConfig
  try {
    config = parseTeacherConfig(pickConfig(options, TEACHER_FLAGS))
    makeSchedule(config.betaSchedule, config.numSteps, config.betaStart, config.betaEnd)
  } catch (error) {
    if (error instanceof ConfigError) throw usageFromConfigError(error, TEACHER_FLAGS)
    if (error instanceof ScheduleError) throw new UsageError(`--T/--beta-end: ${error.message}`)
    throw error
  }
  const { runTeacherCommand } = await import('./teacher-run')
  return runTeacherCommand(config, options)
}
