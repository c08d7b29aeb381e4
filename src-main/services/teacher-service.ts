/**
 * TeacherService: the teachers a history knows. Trained here (a teacher run registers its result),
 * imported from a checkpoint file (copied into teachers/<id>/), exported, listed together with the
 * built-in ones of resources/teachers (never stored); and resolving what a run's `teacher` field names:
 * `builtin`, a teacher id (a built-in one as `builtin-<dataset>`), or a checkpoint path.
 */
import { existsSync, statSync } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { imageDatasetId, isImageDatasetRef } from '@shared/data/dataset-ref'
import { DATASETS_2D } from '@shared/data/datasets2d'
import { builtinTeacherId, type TeacherRecord } from '@shared/store/types'
import {
  builtinTeacherPath,
  MAX_TEACHER_BYTES,
  readTeacherFileAsync,
  readTeacherSnapshot,
  TeacherFileError,
  type TeacherFile,
} from '../files/teacher-file'
import { exportFileCopyAsync } from '../files/export-files'
import { lstatOrNull, lstatOrNullAsync } from '../files/safe-fs'
import type { LabStore } from '../store'
import { isWithin, realTarget } from '../files/safe-paths'
import type { TeacherQuality } from '@shared/store/teacher-quality'
import { measureQuality, readQuality, storeQualityFromRun } from './teacher-quality-store'

/** Where a teacher path may point: `anywhere` for the CLI (the user's own files), `data-folder` for the API. */
export type TeacherScope = 'anywhere' | 'data-folder'

export class TeacherService {
  private builtins: TeacherRecord[] | null = null

  constructor(private readonly store: LabStore) {}

  /**
   * The history's teachers, newest first, then the built-in ones (for `dataset` only, when given), each with
   * its stored quality (#17; null when not measured).
   */
  list(dataset?: string): TeacherRecord[] {
    const builtins = this.builtinTeachers().filter((t) => dataset === undefined || t.dataset === dataset)
    return [...this.store.teachers.listTeachers(dataset ? { dataset } : {}), ...builtins].map((t) =>
      this.withQuality(t),
    )
  }

  /** A teacher by id, built-in ones included, with its quality; TeacherNotFoundError otherwise. */
  get(id: string): TeacherRecord {
    return this.withQuality(this.builtinTeachers().find((t) => t.id === id) ?? this.store.teachers.getTeacher(id))
  }

  private withQuality(teacher: TeacherRecord): TeacherRecord {
    return { ...teacher, quality: readQuality(this.store, teacher) }
  }

  /**
   * Samples the teacher and stores its quality: precision, recall, SWD at K = 1, 10, 100 against held-out data
   * (2D teachers; loads tfjs). For imported teachers and ones registered before the figures existed.
   */
  async measure(id: string): Promise<TeacherQuality | null> {
    const teacher = this.get(id)
    return measureQuality(this.store, teacher, this.pathOf(teacher))
  }

  /** The quality of the teacher a run config's `teacher` names (`builtin` for the dataset, an id); null otherwise. */
  qualityForSpec(spec: string, dataset: string): TeacherQuality | null {
    const id = spec === 'builtin' ? builtinTeacherId(dataset) : spec
    const teacher = this.builtinTeachers().find((t) => t.id === id) ?? this.store.teachers.findTeacher(id)
    return teacher ? readQuality(this.store, teacher) : null
  }

  /** The shipped teachers of resources/teachers, read once (their headers hold the config). */
  private builtinTeachers(): TeacherRecord[] {
    this.builtins ??= DATASETS_2D.flatMap((dataset) => {
      const path = builtinTeacherPath(dataset)
      if (!existsSync(path)) return []
      const { config } = readTeacherSnapshot(path).header
      return [
        {
          id: builtinTeacherId(dataset),
          name: `${dataset}-builtin`,
          dataset,
          path,
          config,
          runId: null,
          createdAt: statSync(path).mtimeMs,
          notes: 'shipped with the app (npm run make-teachers); runs name it --teacher builtin',
        },
      ]
    })
    return this.builtins
  }

  /** Absolute path of a registered teacher's weights. */
  pathOf(teacher: TeacherRecord): string {
    return isAbsolute(teacher.path) ? teacher.path : join(this.store.paths.root, teacher.path)
  }

  /** `builtin`, a registered teacher id, or a path -> the checkpoint path (checked, and for `dataset`). */
  async resolve(spec: string, dataset: string, scope: TeacherScope = 'anywhere'): Promise<string> {
    return (await this.resolveFile(spec, dataset, scope)).path
  }

  /**
   * As resolve, with the checkpoint's contents (its header holds the teacher's noise schedule). Read
   * asynchronously with a size cap, and only from a regular file. With scope `data-folder` (API callers) a
   * path must lie inside the data folder, symlinks resolved; one outside is refused before anything is looked
   * up, so the answer never tells whether some file on the machine exists.
   */
  async resolveFile(spec: string, dataset: string, scope: TeacherScope = 'anywhere'): Promise<TeacherFile> {
    const registered =
      spec === 'builtin'
        ? undefined
        : (this.builtinTeachers().find((t) => t.id === spec) ?? this.store.teachers.findTeacher(spec))
    if (registered) return readTeacherFileAsync(this.pathOf(registered), dataset)
    if (spec === 'builtin') return readTeacherFileAsync(spec, dataset)
    return readTeacherFileAsync(scope === 'anywhere' ? resolve(spec) : await this.insideDataFolder(spec), dataset)
  }

  /** Whether a config's `teacher` names a file (not `builtin`, not a teacher id): runs then record its full path. */
  isPathSpec(spec: string): boolean {
    return (
      spec !== 'builtin' &&
      !this.builtinTeachers().some((t) => t.id === spec) &&
      this.store.teachers.findTeacher(spec) === undefined
    )
  }

  /** `spec` as an absolute path inside the data folder (symlinks resolved), else a TeacherFileError. */
  private async insideDataFolder(spec: string): Promise<string> {
    const root = this.store.paths.root
    const outside = new TeacherFileError(
      `${spec} is not a teacher id and not inside the data folder ${root}; give \`builtin\`, a teacher id (teachers list) or a checkpoint inside the data folder`,
    )
    const path = resolve(root, spec)
    if (!isWithin(root, path)) throw outside
    // A missing file is named as missing only when the folders on its way (links resolved) stay inside.
    let real: string
    try {
      real = realTarget(path)
    } catch {
      throw outside
    }
    if (!isWithin(await realpath(root), real)) throw outside
    if (lstatOrNull(path) === null) throw new TeacherFileError(`checkpoint ${path} does not exist`)
    return real
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
    const record = this.store.teachers.addTeacher({
      id: runId,
      name: this.defaultName(config.dataset, config.seed),
      dataset: config.dataset,
      path: relative(this.store.paths.root, checkpointPath),
      config,
      runId,
    })
    // The run's final evaluation already scored the teacher against held-out data: kept with it (#17).
    try {
      storeQualityFromRun(this.store, record)
    } catch {
      // Without the figures the teacher still registers; `clab teachers measure` can add them.
    }
    return this.withQuality(record)
  }

  /**
   * Copies a teacher checkpoint into the history (teachers/<id>/teacher.ckpt) after checking it: a regular
   * file, a teacher checkpoint, weights that fit its config. All or nothing (teacher-import.ts).
   */
  async import(file: string, name?: string): Promise<TeacherRecord> {
    // Loaded here: checking the weights' shapes reads the model definitions, which load tfjs, and only an
    // import needs them (a `clab teachers list` or the server's start would otherwise load tfjs too).
    const { importTeacherFile } = await import('./teacher-import')
    const record = await importTeacherFile(
      this.store,
      file,
      (config) => name ?? this.defaultName(config.dataset, config.seed),
    )
    // Measured at once (#17), so a teacher that has not learned its data shows before a run uses it. A
    // failure to measure does not undo the import: the teacher lists as "not measured".
    try {
      await this.measure(record.id)
    } catch {
      // see above
    }
    return this.withQuality(record)
  }

  /**
   * Copies a teacher's weights to the new file `file`: never over an existing file or through a link, and
   * never into the data folder's own files (only below its exports/ folder, or outside it). Asynchronous.
   */
  async export(id: string, file: string): Promise<string> {
    const teacher = this.get(id)
    const from = this.pathOf(teacher)
    if (!(await lstatOrNullAsync(from))) throw new Error(`teacher ${id}: its weights ${from} are missing`)
    return exportFileCopyAsync(this.store.paths.root, from, file, MAX_TEACHER_BYTES)
  }
}
