/**
 * Each teacher's quality (#17) as the history keeps it: read from its quality file (files/teacher-quality-file.ts),
 * written from a teacher run's own final evaluation when the run registers its teacher (no sampling: the run
 * already scored K = 1, 10, 100 DDIM against held-out data), or measured (tfjs, loaded only then) for imported
 * and older teachers.
 */
import { isAbsolute, join } from 'node:path'
import { SAMPLER_STEP_SPACING } from '@shared/cd/schedule'
import { isDataset2D } from '@shared/data/datasets2d'
import { isBuiltinTeacher, type TeacherRecord } from '@shared/store/types'
import {
  DEFAULT_TEACHER_EVAL_SAMPLES,
  THUMBNAIL_POINTS,
  type TeacherQuality,
  type TeacherQualityRow,
} from '@shared/store/teacher-quality'
import {
  builtinQualityPath,
  checkpointFingerprint,
  readTeacherQuality,
  teacherQualityPath,
  writeTeacherQuality,
} from '../files/teacher-quality-file'
import { readSamplePoints } from '../files/sample-points'
import { runPaths, teacherDir, type LabStore } from '../store'

/** The teacher run's evaluation order: K = 1, 10, 100. */
const STEPS = [1, 10, 100] as const

export function qualityPath(store: LabStore, teacher: Pick<TeacherRecord, 'id' | 'dataset'>): string | null {
  if (isBuiltinTeacher(teacher)) return isDataset2D(teacher.dataset) ? builtinQualityPath(teacher.dataset) : null
  return teacherQualityPath(teacherDir(store.paths.root, teacher.id))
}

/** The weights' absolute path: built-in teachers' paths are absolute, the history's relative to the data folder. */
function weightsOf(store: LabStore, teacher: Pick<TeacherRecord, 'path'>): string {
  return isAbsolute(teacher.path) ? teacher.path : join(store.paths.root, teacher.path)
}

export function readQuality(
  store: LabStore,
  teacher: Pick<TeacherRecord, 'id' | 'dataset' | 'path'>,
): TeacherQuality | null {
  const path = qualityPath(store, teacher)
  return path ? readTeacherQuality(path, weightsOf(store, teacher)) : null
}

/**
 * The quality a finished 2D teacher run measured in its final evaluation (DDIM K = 1, 10, 100 against held-out
 * data, the floor beside), with a thumbnail of its final 100-step samples; null when the run's evaluation
 * predates the support metrics.
 */
export function qualityFromRun(store: LabStore, runId: string, now = Date.now()): TeacherQuality | null {
  const records = store.evaluations.listEvaluations(runId)
  if (records.length === 0) return null
  const step = Math.max(...records.map((r) => r.step))
  const value = (model: string, nfe: number, metric: string) =>
    records.find((r) => r.step === step && r.model === model && r.nfe === nfe && r.metric === metric)?.value ?? null
  const figures = (model: string, nfe: number): Omit<TeacherQualityRow, 'steps' | 'nfe'> | null => {
    const precision = value(model, nfe, 'precision')
    const recall = value(model, nfe, 'recall')
    const swd = value(model, nfe, 'swd')
    if (precision === null || recall === null || swd === null) return null
    const offSupport = value(model, nfe, 'offSupport')
    return { precision, recall, swd, ...(offSupport !== null ? { offSupport } : {}) }
  }
  const teacherNfes = [...new Set(records.filter((r) => r.step === step && r.model === 'teacher').map((r) => r.nfe))]
  teacherNfes.sort((a, b) => a - b)
  const floor = figures('data', 0)
  if (!floor || teacherNfes.length !== STEPS.length) return null
  const rows: TeacherQualityRow[] = []
  for (const [i, nfe] of teacherNfes.entries()) {
    const f = figures('teacher', nfe)
    if (!f) return null
    rows.push({ steps: STEPS[i] as number, nfe, ...f })
  }
  // The run's final K = 100 samples (written since 2026-12-06); an older run's last live preview (DDIM, 20 steps).
  const samples = store.samples.listSamples(runId, { model: 'teacher' })
  const final = samples.find((s) => s.role === 'final' && s.nfe === STEPS[STEPS.length - 1] && s.kind === 'csv2d')
  const previews = samples.filter((s) => s.role === 'preview' && s.kind === 'points2d')
  const source = final ?? previews[previews.length - 1]
  let thumbnail: number[] = []
  // A teacher's evaluation size is the job's (`--eval-samples`), not its config's: the final K = 100 file
  // holds one point per sample; without it, the default.
  let measured = DEFAULT_TEACHER_EVAL_SAMPLES
  if (source) {
    try {
      const points = readSamplePoints(source, runPaths(store.paths.root, runId).dir, (id) => store.samples.readBlob(id))
      thumbnail = Array.from(points.subarray(0, 2 * THUMBNAIL_POINTS))
      if (source === final) measured = points.length / 2
    } catch {
      // A damaged sample file costs the thumbnail only.
    }
  }
  return {
    measuredAt: now,
    samples: measured,
    solver: 'ddim',
    stepSpacing: SAMPLER_STEP_SPACING,
    floor,
    rows,
    thumbnail,
    ...(source && source !== final ? { thumbnailSteps: source.nfe } : {}),
  }
}

/** Stores the run's own figures for the teacher it registered; false when the run has none to give. */
export function storeQualityFromRun(store: LabStore, teacher: TeacherRecord): boolean {
  const path = qualityPath(store, teacher)
  const quality = teacher.runId ? qualityFromRun(store, teacher.runId) : null
  if (!path || !quality) return false
  const checkpoint = checkpointFingerprint(weightsOf(store, teacher))
  writeTeacherQuality(path, { ...quality, ...(checkpoint ? { checkpoint } : {}) })
  return true
}

/**
 * Samples the 2D teacher whose weights are at `weightsPath` and stores its quality (loads tfjs: only imports
 * and `clab teachers measure` come here). Image teachers are measured by their runs, in classifier features.
 */
export async function measureQuality(
  store: LabStore,
  teacher: TeacherRecord,
  weightsPath: string,
): Promise<TeacherQuality | null> {
  const path = qualityPath(store, teacher)
  if (!path || !isDataset2D(teacher.dataset)) return null
  const dataset = teacher.dataset
  const [{ selectBackend }, { measureTeacherQuality }, { loadTeacher }] = await Promise.all([
    import('../engine/backend'),
    import('../engine/teacher-quality'),
    import('../files/teachers'),
  ])
  await selectBackend('auto')
  const loaded = loadTeacher(weightsPath, dataset)
  try {
    const checkpoint = checkpointFingerprint(weightsPath)
    const quality = { ...(await measureTeacherQuality(loaded.model, dataset)), ...(checkpoint ? { checkpoint } : {}) }
    writeTeacherQuality(path, quality)
    return quality
  } finally {
    loaded.model.weights.dispose()
  }
}
