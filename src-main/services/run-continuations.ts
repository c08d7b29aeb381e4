/**
 * How a stopped run goes on: the engine job that resumes it from its last checkpoint (or starts it over when
 * it has none), and the checks and job of a branch from a parent's checkpoint. Metrics and samples recorded
 * after the point a run goes on from are dropped here, once its config and teacher are checked.
 */
import { BRANCH_MUST_KEEP } from '@shared/config/fields'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { completeStoredTeacherConfig } from '@shared/config/stored'
import { ConfigError, parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import type { EngineJob } from '@shared/ipc/engine-messages'
import type { Run } from '@shared/store/types'
import { ensureRunDirs, runFilePath, type LabStore } from '../store'
import type { JobBuilder } from './run-jobs'
import type { TeacherScope } from './teacher-service'
import { RunStateError } from './run-types'

/**
 * The job that continues a stopped run from its last checkpoint with the same config and seed; without a
 * checkpoint (queued when its process died, or stopped before its first one) it starts over.
 */
export async function resumeJob(
  store: LabStore,
  jobBuilder: JobBuilder,
  run: Run,
  changes: { steps?: number },
  scope: TeacherScope | undefined,
): Promise<EngineJob> {
  const id = run.id
  const checkpoint = store.checkpoints.latestCheckpoint(id)
  if (!checkpoint) return restartJob(store, jobBuilder, run, changes, scope ?? 'anywhere')
  if (run.kind !== 'distill')
    throw new RunStateError(`run ${id} is a teacher run; resuming teacher runs is not supported yet`)
  const config = parseDistillConfig({
    ...(run.config as DistillConfig),
    ...(changes.steps !== undefined ? { steps: changes.steps } : {}),
  })
  const teacherPath = await jobBuilder.teacherPath(config, scope)
  const paths = ensureRunDirs(store.paths.root, id)
  store.metrics.deleteMetricsAfter(id, checkpoint.step)
  store.samples.deleteSamplesAfter(id, checkpoint.step)
  return {
    kind: 'distill',
    runId: id,
    config,
    teacherPath,
    checkpointDir: paths.checkpoints,
    samplesDir: paths.samples,
    ...jobBuilder.datasetDir(config.dataset),
    resumeFrom: runFilePath(store.paths.root, id, checkpoint.path),
  }
}

/** A run that never started (left queued by a process that died) queued again from step 0, same config. */
async function restartJob(
  store: LabStore,
  jobBuilder: JobBuilder,
  run: Run,
  changes: { steps?: number },
  scope: TeacherScope,
): Promise<EngineJob> {
  const steps = changes.steps !== undefined ? { steps: changes.steps } : {}
  store.metrics.deleteMetricsAfter(run.id, -1)
  store.samples.deleteSamplesAfter(run.id, -1)
  if (run.kind === 'teacher') {
    const config = parseTeacherConfig({ ...completeStoredTeacherConfig(run.config as TeacherConfig), ...steps })
    return { ...jobBuilder.freshTeacherJob(run.id, config, {}), ...jobBuilder.datasetDir(config.dataset) }
  }
  const config = parseDistillConfig({ ...(run.config as DistillConfig), ...steps })
  const teacherPath = await jobBuilder.teacherPath(config, scope)
  return { ...jobBuilder.freshDistillJob(run.id, config, teacherPath), ...jobBuilder.datasetDir(config.dataset) }
}

export interface BranchPlan {
  config: DistillConfig
  teacherPath: string
  /** The grid top from the teacher's schedule, recorded with the branch. */
  gridTop: number
  checkpoint: { step: number; path: string }
}

/**
 * The checked config of a branch from `id`'s last checkpoint: a distillation with a checkpoint, the fields a
 * branch must keep kept, more steps than the checkpoint's, and its teacher found.
 */
export async function planBranch(
  store: LabStore,
  jobBuilder: JobBuilder,
  id: string,
  overrides: Record<string, unknown>,
  scope: TeacherScope | undefined,
): Promise<BranchPlan> {
  const parent = store.runs.getRun(id)
  if (parent.kind !== 'distill')
    throw new RunStateError(`run ${id} is a teacher run; only distillations can be branched`)
  const checkpoint = store.checkpoints.latestCheckpoint(id)
  if (!checkpoint) throw new RunStateError(`run ${id} has no checkpoint to branch from`)
  const config = parseDistillConfig({ ...(parent.config as DistillConfig), ...overrides })
  for (const field of BRANCH_MUST_KEEP) {
    if (JSON.stringify(config[field]) !== JSON.stringify((parent.config as DistillConfig)[field])) {
      throw new ConfigError([
        {
          field,
          message: `a branch must keep the parent's ${field} (${JSON.stringify((parent.config as DistillConfig)[field])})`,
          value: config[field],
        },
      ])
    }
  }
  if (config.steps <= checkpoint.step) {
    throw new ConfigError([
      { field: 'steps', message: `must exceed the parent's checkpoint step ${checkpoint.step}`, value: config.steps },
    ])
  }
  const { path: teacherPath, gridTop } = await jobBuilder.launchTeacher(config, scope)
  return { config, teacherPath, gridTop, checkpoint }
}

/** The job of branch `runId` (recorded), starting from its parent's checkpoint. */
export function branchJob(
  store: LabStore,
  jobBuilder: JobBuilder,
  runId: string,
  parentId: string,
  { config, teacherPath, checkpoint }: BranchPlan,
): EngineJob {
  const paths = ensureRunDirs(store.paths.root, runId)
  return {
    kind: 'distill',
    runId,
    config,
    teacherPath,
    checkpointDir: paths.checkpoints,
    samplesDir: paths.samples,
    ...jobBuilder.datasetDir(config.dataset),
    resumeFrom: runFilePath(store.paths.root, parentId, checkpoint.path),
    branch: true,
  }
}
