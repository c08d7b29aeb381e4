/**
 * #17 end to end through the run history: a short distillation in a real engine child process (cpu) records
 * precision, recall, density, coverage and off-support for every model and NFE and the data floor, the
 * live `prec/nfe1` beside `swd/nfe1`, the final `eval/prec_nfe1`, and the CLI reads them back into its table.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_METRICS } from '@shared/cd/evaluation'
import { finalEvaluation } from '../../src-main/cli/history'
import { evaluationTable } from '../../src-main/cli/report'
import { RunService } from '../../src-main/services/run-service'
import { openLabStore, type LabStore } from '../../src-main/store'
import { makeTinyTeacher, tempDir } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let teacherPath: string
let store: LabStore
let service: RunService

beforeAll(async () => {
  root = tempDir('support-metrics')
  teacherPath = join(root.dir, 'teacher.ckpt')
  await makeTinyTeacher(teacherPath)
  store = openLabStore({ dataDir: join(root.dir, 'data') })
  service = new RunService({ store })
})

afterAll(async () => {
  await service?.close()
  store?.close()
  root?.remove()
})

describe('#17 support metrics in the run history', () => {
  it('#17 a short distillation records them for every model, NFE and the floor, live and final, and the CLI shows them', async () => {
    const run = await service.startDistill({
      teacher: teacherPath,
      batch: 16,
      steps: 20,
      evalSamples: 64,
      checkpointEvery: 20,
      sampleEvery: 10,
      multistepSigmas: [0.8],
      backend: 'cpu',
    })
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')

    const all = store.evaluations.listEvaluations(run.id)
    const rowsWithSwd = all.filter((e) => e.metric === 'swd').map((e) => `${e.model}${e.nfe}@${e.step}`)
    expect(rowsWithSwd).toEqual(expect.arrayContaining(['data0@20', 'teacher100@20', 'student1@20', 'student2@20']))
    for (const metric of SUPPORT_METRICS) {
      const rows = all.filter((e) => e.metric === metric)
      expect(rows.map((e) => `${e.model}${e.nfe}@${e.step}`).sort(), metric).toEqual([...rowsWithSwd].sort())
      expect(
        rows.every((e) => Number.isFinite(e.value) && (e.value as number) >= 0),
        metric,
      ).toBe(true)
    }
    // The data floor: held-out data against a second draw, near 1.
    expect(all.find((e) => e.metric === 'precision' && e.model === 'data')?.value).toBeGreaterThan(0.8)

    const live = store.metrics.readSeries(run.id, 'prec/nfe1')
    expect(live.map((p) => p.step)).toEqual(store.metrics.readSeries(run.id, 'swd/nfe1').map((p) => p.step))
    expect(live.length).toBeGreaterThanOrEqual(2)
    expect(store.metrics.readSeries(run.id, 'prec/nfe2').length).toBe(live.length)
    const final = store.metrics.readSeries(run.id, 'eval/prec_nfe1')
    expect(final.map((p) => p.value)).toEqual([
      all.find((e) => e.metric === 'precision' && e.model === 'student' && e.nfe === 1)?.value,
    ])

    const evaluation = finalEvaluation(store, run.id)
    expect(evaluation?.rows.every((r) => r.precision !== undefined && r.offSupport !== undefined)).toBe(true)
    const table = evaluationTable(evaluation?.rows ?? [])
    expect(table.split('\n')[0]).toMatch(/precision\s+recall\s+density\s+coverage\s+off-support/)
    const floorLine = table.split('\n').find((l) => l.trimStart().startsWith('data floor')) as string
    const floorPrecision = evaluation?.rows[0]?.precision as number
    expect(floorLine).toContain(floorPrecision.toFixed(3))
  })
})
