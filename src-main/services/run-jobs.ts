/**
 * Jobs for the engine, built from checked configs: the teacher checkpoint a distillation names (read and
 * checked for its dataset and the grid's top), the stored folder of an image dataset, and the run folders a
 * fresh job writes to. Problems are ConfigErrors naming the field.
 */
import { join } from 'node:path'
import { gridTopStep, scheduleOf } from '@shared/cd/schedule'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { imageDatasetId, isImageDatasetRef } from '@shared/data/dataset-ref'
import { ConfigError } from '@shared/config/validate'
import type { EngineJob } from '@shared/ipc/engine-messages'
import { ensureRunDirs, type LabStore } from '../store'
import type { TeacherFile } from '../files/teachers'
import type { TeacherScope, TeacherService } from './teacher-service'

/** Settings of a teacher job that are not part of its config (they do not change what it learns). */

/** A distillation's teacher as launched: its checkpoint path and the teacher step the grid tops out at. */
export interface LaunchTeacher {
  path: string
  gridTop: number
}
export interface TeacherJobOptions {
  /** Samples of the final K = 1, 10, 100 evaluation (default 4000). */
  evalSamples?: number
  /** Preview interval in steps (default 500, 0 = none). */
  sampleEvery?: number
}

export class JobBuilder {
  constructor(
    private readonly store: LabStore,
    private readonly teachers: TeacherService,
  ) {}

  freshDistillJob(runId: string, config: DistillConfig, teacherPath: string): EngineJob {
    const paths = ensureRunDirs(this.store.paths.root, runId)
    return { kind: 'distill', runId, config, teacherPath, checkpointDir: paths.checkpoints, samplesDir: paths.samples }
  }

  freshTeacherJob(runId: string, config: TeacherConfig, options: TeacherJobOptions): EngineJob {
    const paths = ensureRunDirs(this.store.paths.root, runId)
    return {
      kind: 'teacher',
      runId,
      config,
      outDir: paths.dir,
      checkpointDir: paths.checkpoints,
      samplesDir: paths.samples,
      ...(options.evalSamples !== undefined ? { evalSamples: options.evalSamples } : {}),
      ...(options.sampleEvery !== undefined ? { sampleEvery: options.sampleEvery } : {}),
    }
  }

  /** The stored folder of an `image:<id>` dataset (checked to be in the history); nothing for 2D data. */
  datasetDir(dataset: string): { datasetDir?: string } {
    if (!isImageDatasetRef(dataset)) return {}
    const record = this.store.datasets.findDataset(imageDatasetId(dataset))
    if (!record)
      throw new ConfigError([
        {
          field: 'dataset',
          message: `no imported image dataset ${dataset} in this history (clab data list shows them)`,
          value: dataset,
        },
      ])
    return { datasetDir: join(this.store.paths.root, record.path) }
  }

  /** The teacher's checkpoint, checked for the dataset; a problem is a ConfigError naming `teacher`. */
  async teacherFile(config: DistillConfig, scope: TeacherScope = 'anywhere'): Promise<TeacherFile> {
    try {
      return await this.teachers.resolveFile(config.teacher, config.dataset, scope)
    } catch (error) {
      throw new ConfigError([{ field: 'teacher', message: (error as Error).message, value: config.teacher }])
    }
  }

  /** The teacher's checkpoint path, checked for the dataset and the grid top (`teacherFile`, `checkGridTop`). */
  async teacherPath(config: DistillConfig, scope: TeacherScope = 'anywhere'): Promise<string> {
    return (await this.launchTeacher(config, scope)).path
  }

  /** As `teacherPath`, with the grid's top step the run will train up to (recorded with a new run). */
  async launchTeacher(config: DistillConfig, scope: TeacherScope = 'anywhere'): Promise<LaunchTeacher> {
    return this.checkGridTop(config, await this.teacherFile(config, scope))
  }

  /** The grid top checked against the teacher's schedule: the teacher's path and the top step. */
  checkGridTop(config: DistillConfig, file: TeacherFile): LaunchTeacher {
    try {
      return { path: file.path, gridTop: gridTopStep(scheduleOf(file.snapshot.header.config), config.sigmaMax) }
    } catch (error) {
      throw new ConfigError([{ field: 'sigmaMax', message: (error as Error).message, value: config.sigmaMax }])
    }
  }
}
