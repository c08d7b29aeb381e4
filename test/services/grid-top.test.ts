/**
 * #16: the effective config's grid top (the teacher step a distillation's N levels top out at) is recorded
 * with the run at launch, from its teacher's schedule, which the stored config cannot say; it leaves with an
 * exported run.json, comes back on import, and `clab runs show` prints it. Runs stored before read null.
 * Real SQLite history, real engine child (cpu), real files.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridTopStep, scheduleOf } from '@shared/cd/schedule'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { configTable } from '../../src-main/cli/run-show-text'
import { readCheckpoint } from '../../src-main/files/checkpoint-file'
import { RunService } from '../../src-main/services/run-service'
import { exportRunFolder, importRunFolder } from '../../src-main/services/run-transfer'
import { openLabStore, type LabStore } from '../../src-main/store'
import { makeTinyTeacher, tempDir } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let teacherPath: string
let store: LabStore
let service: RunService

const tiny = () => ({
  teacher: teacherPath,
  batch: 16,
  steps: 6,
  evalSamples: 64,
  checkpointEvery: 3,
  sampleEvery: 0,
  backend: 'cpu',
})

beforeAll(async () => {
  root = tempDir('grid-top')
  store = openLabStore({ dataDir: join(root.dir, 'data') })
  // Inside the data folder: an imported run may name a teacher there (not one outside it).
  teacherPath = join(root.dir, 'data', 'teacher.ckpt')
  await makeTinyTeacher(teacherPath)
  service = new RunService({ store })
})

afterAll(async () => {
  await service?.close()
  store?.close()
  root?.remove()
})

const expectedTop = (config: DistillConfig) =>
  gridTopStep(scheduleOf(readCheckpoint(teacherPath).header.config as TeacherConfig), config.sigmaMax)

describe('#16 the grid top is recorded with the run', () => {
  it('#16 a started run, a sweep point and a branch record the grid top of their teacher', async () => {
    const run = await service.startDistill(tiny())
    const top = expectedTop(run.config as DistillConfig)
    expect(top).toBeGreaterThan(1)
    expect(store.runs.getRun(run.id).gridTop).toBe(top)

    // Another sigma_max, another top: the record follows the config, not a constant.
    const low = await service.startDistill({ ...tiny(), sigmaMax: 40 })
    expect(store.runs.getRun(low.id).gridTop).toBe(expectedTop(low.config as DistillConfig))
    expect(store.runs.getRun(low.id).gridTop).not.toBe(top)

    const points = await service.sweep(tiny(), { seed: [1, 2] })
    for (const point of points) expect(store.runs.getRun(point.id).gridTop).toBe(top)

    await service.whenIdle()
    const branch = await service.branch(run.id, { steps: 8, lr: 1e-4 })
    expect(store.runs.getRun(branch.id).gridTop).toBe(top)
    await service.whenIdle()
  })

  it('#16 run.json carries it, an import keeps it, runs show prints it; older runs read null', async () => {
    const run = await service.startDistill(tiny())
    await service.whenIdle()
    const top = store.runs.getRun(run.id).gridTop
    const out = join(root.dir, 'exported')
    await exportRunFolder(store, run.id, out)
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ gridTop: top })
    const imported = await importRunFolder(store, out)
    expect(imported.id).not.toBe(run.id)
    expect(store.runs.getRun(imported.id).gridTop).toBe(top)
    expect(configTable(store.runs.getRun(run.id))).toMatch(new RegExp(`gridTop\\s+${top}\\s+Grid top`))

    const older = store.runs.createRun({ kind: 'distill', config: DISTILL_DEFAULTS, appVersion: '0.0.0' })
    expect(store.runs.getRun(older.id).gridTop).toBeNull()
    expect(configTable(store.runs.getRun(older.id))).toMatch(/gridTop\s+not recorded/)
    const teacher = store.runs.createRun({ kind: 'teacher', config: {}, appVersion: '0.0.0' })
    expect(store.runs.getRun(teacher.id)).not.toHaveProperty('gridTop')
  })
})
