/**
 * TeacherService: the teachers a history knows. Trained here (a teacher run registers its result),
 * imported from a checkpoint file (copied into teachers/<id>/), exported, listed; and resolving what a
 * run's `teacher` field names: `builtin`, a registered teacher id, or a checkpoint path.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { imageDatasetId, isImageDatasetRef } from '@shared/data/dataset-ref'
import type { TeacherRecord } from '@shared/store/types'
import { readTeacherFile, readTeacherSnapshot } from '../files/teachers'
import { ensureTeacherDir, newRunId, type LabStore } from '../store'

export class TeacherService {
  constructor(private readonly store: LabStore) {}

  list(dataset?: string): TeacherRecord[] {
    return this.store.teachers.listTeachers(dataset ? { dataset } : {})
  }

  /** Absolute path of a registered teacher's weights. */
  pathOf(teacher: TeacherRecord): string {
    return isAbsolute(teacher.path) ? teacher.path : join(this.store.paths.root, teacher.path)
  }

  /** `builtin`, a registered teacher id, or a path -> the checkpoint path (checked, and for `dataset`). */
  resolve(spec: string, dataset: string): string {
    const registered = spec === 'builtin' ? undefined : this.store.teachers.findTeacher(spec)
    return readTeacherFile(registered ? this.pathOf(registered) : spec, dataset).path
  }

  /** A teacher's default name: its dataset (an image dataset by its name, not `image:<id>`) and seed. */
  private defaultName(dataset: string, seed: number): string {
    const image = isImageDatasetRef(dataset) ? this.store.datasets.findDataset(imageDatasetId(dataset)) : undefined
    return `${image?.name ?? dataset}-seed${seed}`
  }

  /** Registers the teacher a finished teacher run wrote (runs/<id>/teacher.ckpt). */
  registerTrained(runId: string, checkpointPath: string): TeacherRecord {
    const existing = this.store.teachers.findTeacher(runId)
    if (existing) return existing
    const { config } = readTeacherSnapshot(checkpointPath).header
    return this.store.teachers.addTeacher({
      id: runId,
      name: this.defaultName(config.dataset, config.seed),
      dataset: config.dataset,
      path: relative(this.store.paths.root, checkpointPath),
      config,
      runId,
    })
  }

  /** Copies a teacher checkpoint into the history (teachers/<id>/teacher.ckpt) after checking it. */
  import(file: string, name?: string): TeacherRecord {
    const source = resolve(file)
    const { config } = readTeacherSnapshot(source).header
    const id = newRunId()
    const dir = ensureTeacherDir(this.store.paths.root, id)
    const target = join(dir, 'teacher.ckpt')
    copyFileSync(source, target)
    return this.store.teachers.addTeacher({
      id,
      name: name ?? this.defaultName(config.dataset, config.seed),
      dataset: config.dataset,
      path: relative(this.store.paths.root, target),
      config,
      notes: `imported from ${source}`,
    })
  }

  export(id: string, file: string): string {
    const teacher = this.store.teachers.getTeacher(id)
    const from = this.pathOf(teacher)
    if (!existsSync(from)) throw new Error(`teacher ${id}: its weights ${from} are missing`)
    const target = resolve(file)
    mkdirSync(dirname(target), { recursive: true })
    copyFileSync(from, target)
    return target
  }
}
