/**
 * #17 Teacher quality kept with the teacher: a teacher run's own final evaluation becomes its quality when it
 * registers; an imported teacher is measured at import; re-made weights read as not measured; a teacher
 * below 0.9 precision gets the distillation warning. Real SQLite, real files, real engine processes (cpu).
 */
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  evaluatedTeacherWarning,
  teacherWarning,
  TEACHER_PRECISION_WARNING,
  THUMBNAIL_POINTS,
} from '@shared/store/teacher-quality'
import { supportMetrics } from '@shared/cd/support-metrics'
import { SAMPLER_STEP_SPACING } from '@shared/cd/schedule'
import { heldOut2D } from '@shared/data/datasets2d'
import { RunService } from '../../src-main/services/run-service'
import { qualityPath } from '../../src-main/services/teacher-quality-store'
import { readPointsCsv } from '../../src-main/files/scatter-png'
import { openLabStore, runPaths, type LabStore } from '../../src-main/store'
import { makeTinyTeacher, tempDir, TINY_TEACHER } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let store: LabStore
let service: RunService
let tinyPath: string

beforeAll(async () => {
  root = tempDir('teacher-quality')
  tinyPath = join(root.dir, 'tiny.ckpt')
  await makeTinyTeacher(tinyPath)
  store = openLabStore({ dataDir: join(root.dir, 'data') })
  service = new RunService({ store })
})

afterAll(async () => {
  await service?.close()
  store?.close()
  root?.remove()
})

describe('#17 teacher quality', () => {
  it('#17 a trained teacher keeps its run final K = 1, 10, 100 figures, the floor and a thumbnail', async () => {
    const run = service.startTeacher({ ...TINY_TEACHER, dataset: 'moons', steps: 20 }, { evalSamples: 1500 })
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    const teacher = service.teachers.get(run.id)
    const quality = teacher.quality
    expect(quality?.rows.map((r) => r.steps)).toEqual([1, 10, 100])
    // The very figures the run's evaluation stored, not a second measurement.
    const evaluations = store.evaluations.listEvaluations(run.id, { metric: 'precision' })
    const k100 = evaluations.find((e) => e.model === 'teacher' && e.nfe === 100)
    expect(quality?.rows[2]?.precision).toBe(k100?.value)
    expect(quality?.floor.precision).toBe(evaluations.find((e) => e.model === 'data')?.value)
    // The thumbnail is the run's final 100-step samples (the file it wrote beside the held-out data's).
    const finals = store.samples.listSamples(run.id).filter((s) => s.role === 'final')
    expect(finals.map((s) => [s.model, s.nfe, s.path])).toEqual([
      ['data', 0, 'samples/data.csv'],
      ['teacher', 100, 'samples/teacher-k100.csv'],
    ])
    const k100Points = readPointsCsv(
      readFileSync(join(runPaths(store.paths.root, run.id).dir, 'samples/teacher-k100.csv'), 'utf8'),
    )
    expect(quality?.thumbnail).toHaveLength(2 * THUMBNAIL_POINTS)
    expect(quality?.thumbnail).toEqual(Array.from(k100Points.subarray(0, 2 * THUMBNAIL_POINTS)))
    expect(quality?.thumbnailSteps).toBeUndefined()
    // Measured on the job's --eval-samples (the teacher's config does not hold it), not the default 4000.
    expect(k100Points.length / 2).toBe(1500)
    expect(quality?.samples).toBe(1500)
    // listed with it, and what a distillation from it would be warned about
    expect(service.teachers.list('moons').find((t) => t.id === run.id)?.quality).toEqual(quality)
    expect(service.teachers.qualityForSpec(run.id, 'moons')).toEqual(quality)
    // 20 steps of a 16-wide net have not learned moons.
    expect(quality?.rows[2]?.precision).toBeLessThan(TEACHER_PRECISION_WARNING)
    expect(teacherWarning(quality)).toMatch(/the student can at best copy the teacher's errors/)
  })

  it('#17 an imported teacher is measured at import; new weights at the same path read as not measured', async () => {
    const imported = await service.teachers.import(tinyPath, 'tiny')
    const quality = imported.quality
    expect(quality?.solver).toBe('ddim')
    expect(quality?.rows.map((r) => [r.steps, r.nfe])).toEqual([
      [1, 1],
      [10, 10],
      [100, 100],
    ])
    // The thumbnail is the first points of the 100-step samples; scored against held-out data as evaluations are.
    const thumbnail = Float32Array.from(quality?.thumbnail ?? [])
    expect(thumbnail.length).toBe(2 * THUMBNAIL_POINTS)
    const heldOut = heldOut2D('moons', quality?.samples ?? 0, 0)
    expect(supportMetrics(heldOut, thumbnail, 2).precision).toBeCloseTo(quality?.rows[2]?.precision as number, 1)
    expect(quality?.floor.precision).toBeGreaterThan(0.95)
    expect(service.teachers.get(imported.id).quality).toEqual(quality)

    // Someone replaces the weights: the stored figures no longer describe them.
    const path = service.teachers.pathOf(imported)
    const bytes = readFileSync(path)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1
    writeFileSync(path, bytes)
    expect(service.teachers.get(imported.id).quality).toBeNull()
    copyFileSync(tinyPath, path)
    expect(service.teachers.get(imported.id).quality).toEqual(quality)

    // Figures measured with uniformly spread sampler steps ending at step 0 (before 2026-12-05) are not these steps' figures.
    expect(quality?.stepSpacing).toBe('quadratic-to-clean')
    const file = qualityPath(store, imported) as string
    const { stepSpacing: _dropped, ...older } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    writeFileSync(file, JSON.stringify(older))
    expect(service.teachers.get(imported.id).quality).toBeNull()
    writeFileSync(file, JSON.stringify({ ...older, stepSpacing: 'uniform' }))
    expect(service.teachers.get(imported.id).quality).toBeNull()
    await service.teachers.measure(imported.id)
    expect(service.teachers.get(imported.id).quality?.rows).toEqual(quality?.rows)
  })

  it('#17 a good teacher, an unmeasured one and a path spec give no warning', () => {
    const good = {
      measuredAt: 0,
      samples: 4000,
      solver: 'ddim',
      stepSpacing: SAMPLER_STEP_SPACING as typeof SAMPLER_STEP_SPACING,
      floor: { precision: 0.997, recall: 0.999, swd: 0.01 },
      rows: [{ steps: 100, nfe: 100, precision: 0.96, recall: 0.97, swd: 0.012 }],
      thumbnail: [],
    }
    expect(teacherWarning(good)).toBeNull()
    expect(teacherWarning({ ...good, rows: [{ ...good.rows[0]!, precision: 0.65 }] })).toMatch(/0\.65 \(below 0\.9/)
    expect(teacherWarning(null)).toBeNull()
    expect(service.teachers.qualityForSpec(join(root.dir, 'some.ckpt'), 'moons')).toBeNull()
  })

  it("#17 a path-given teacher is warned about from the run's own evaluation of it", () => {
    expect(evaluatedTeacherWarning(0.62, 0.994)).toBe(
      "the teacher's 100-step precision is 0.62 (below 0.9; held-out data 0.99), measured by this run's evaluation: " +
        "the student can at best copy the teacher's errors",
    )
    expect(evaluatedTeacherWarning(0.62, undefined)).toMatch(
      /^the teacher's 100-step precision is 0\.62 \(below 0\.9\),/,
    )
    expect(evaluatedTeacherWarning(0.95, 0.994)).toBeNull()
    // Evaluations from before the support metrics carry no precision: nothing to say.
    expect(evaluatedTeacherWarning(undefined, 0.994)).toBeNull()
    expect(evaluatedTeacherWarning(Number.NaN, 0.994)).toBeNull()
  })
})
