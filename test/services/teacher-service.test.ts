/** Teachers in the history: trained by a teacher run, imported, exported, and used by id. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATASETS_2D } from '@shared/data/datasets2d'
import { isBuiltinTeacher } from '@shared/store/types'
import { builtinTeacherPath } from '../../src-main/files/teachers'
import { RunService } from '../../src-main/services/run-service'
import { openLabStore, TeacherNotFoundError, type LabStore } from '../../src-main/store'
import { makeTinyTeacher, tempDir, TINY_TEACHER } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let store: LabStore
let service: RunService
let tinyPath: string

beforeAll(async () => {
  root = tempDir('teacher-service')
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

describe('TeacherService', () => {
  it('registers the teacher a teacher run trains, and distills from it by id', async () => {
    const run = service.startTeacher({ ...TINY_TEACHER, dataset: 'rings', steps: 20 })
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    const [teacher] = service.teachers.list('rings')
    expect(teacher).toMatchObject({ id: run.id, dataset: 'rings', runId: run.id })
    expect(existsSync(service.teachers.pathOf(teacher!))).toBe(true)
    // Live previews while it trained: the data once, the teacher's 20-step samples at the start and the end.
    const previews = store.samples.listSamples(run.id).filter((s) => s.kind === 'points2d')
    expect(previews.map((s) => `${s.model}/${s.nfe}@${s.step}`).sort()).toEqual([
      'data/0@0',
      'teacher/20@0',
      'teacher/20@20',
    ])
    expect(store.metrics.readSeries(run.id, 'swd/nfe20').map((p) => p.step)).toEqual([0, 20])
    const distill = await service.startDistill({
      dataset: 'rings',
      teacher: run.id,
      batch: 16,
      steps: 10,
      evalSamples: 64,
      backend: 'cpu',
    })
    await service.whenIdle()
    expect(store.runs.getRun(distill.id).status).toBe('finished')
  })

  it('imports a checkpoint file, exports it back byte for byte, and refuses unknown ids and bad files', async () => {
    const imported = await service.teachers.import(tinyPath, 'tiny moons')
    expect(imported).toMatchObject({ name: 'tiny moons', dataset: 'moons' })
    expect(await service.teachers.resolve(imported.id, 'moons')).toBe(service.teachers.pathOf(imported))
    const out = join(root.dir, 'exported.ckpt')
    await service.teachers.export(imported.id, out)
    expect(readFileSync(out).equals(readFileSync(tinyPath))).toBe(true)
    await expect(service.teachers.export('20260101-000000-missing0', out)).rejects.toThrow(TeacherNotFoundError)
    await expect(service.teachers.import(join(root.dir, 'nope.ckpt'))).rejects.toThrow(/cannot be read/)
    await expect(service.teachers.resolve(imported.id, 'rings')).rejects.toThrow(/trained on moons, not rings/)
  })

  it("lists the built-in teachers after the history's own, never stored, and resolves and exports them by id", async () => {
    const all = service.teachers.list()
    const builtins = all.filter((t) => isBuiltinTeacher(t))
    expect(builtins.map((t) => t.id)).toEqual(DATASETS_2D.map((d) => `builtin-${d}`))
    expect(all.slice(-builtins.length)).toEqual(builtins)
    expect(store.teachers.listTeachers().some((t) => isBuiltinTeacher(t))).toBe(false)
    const moons = service.teachers.list('moons').filter((t) => isBuiltinTeacher(t))
    expect(moons).toEqual([
      expect.objectContaining({
        id: 'builtin-moons',
        dataset: 'moons',
        runId: null,
        path: builtinTeacherPath('moons'),
      }),
    ])
    // #17 The built-in moons teacher trains 20000 steps (scripts/make-teachers.ts).
    expect((moons[0]?.config as { steps: number }).steps).toBe(20_000)
    expect(await service.teachers.resolve('builtin-moons', 'moons')).toBe(builtinTeacherPath('moons'))
    expect(await service.teachers.resolve('builtin', 'moons')).toBe(builtinTeacherPath('moons'))
    await expect(service.teachers.resolve('builtin-moons', 'rings')).rejects.toThrow(/trained on moons, not rings/)
    const out = join(root.dir, 'builtin-export.ckpt')
    await service.teachers.export('builtin-moons', out)
    expect(readFileSync(out).equals(readFileSync(builtinTeacherPath('moons')))).toBe(true)
  })
})
