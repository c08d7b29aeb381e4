/** The run service's public types: its options, the updates it pushes, and its state error. */
import type { RunPhase } from '@shared/ipc/api'
import type { MetricPoint, RunSummary, SampleRecord } from '@shared/store/types'
import type { LabStore } from '../store'
import type { EngineHost } from './engine-host'
import type { TeacherJobOptions } from './run-jobs'
import type { TeacherScope } from './teacher-service'

export const APP_VERSION = '0.1.0'

export type RunUpdate =
  | { type: 'run'; run: RunSummary }
  | { type: 'sample'; runId: string; sample: SampleRecord }
  | { type: 'metrics'; runId: string; points: MetricPoint[] }
  | { type: 'log'; runId: string; line: string }
  | { type: 'phase'; runId: string; phase: RunPhase | null }

export class RunStateError extends Error {
  readonly code = 'RUN_STATE'
  constructor(message: string) {
    super(message)
    this.name = 'RunStateError'
  }
}

export interface RunServiceOptions {
  store: LabStore
  createHost?: () => EngineHost
  /** Runs at once; default 1 (one engine process, one run at a time). */
  concurrency?: number
  updateIntervalMs?: number
  appVersion?: string
}

export interface StartOptions {
  tags?: string[]
  notes?: string
  /** Where the config's teacher path may point: `data-folder` for API callers (default `anywhere`, the CLI). */
  teacherScope?: TeacherScope
}

export interface TeacherStartOptions extends StartOptions, TeacherJobOptions {}
