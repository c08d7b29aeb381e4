/**
 * #19.4/#19.5 No silent waits, end to end: a real engine child process (cpu, a tiny teacher) and the run
 * history. From launch to the first step the run is `engine` then `preparing`; after its last step the final
 * evaluation is a phase counting models x NFE to its total, after every step's points; and `clab distill`
 * prints both (off a terminal: a line as each begins and ends).
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunPhase } from '@shared/ipc/api'
import { RunService, type RunUpdate } from '../../src-main/services/run-service'
import { openLabStore, type LabStore } from '../../src-main/store'
import { clab } from '../helpers/cli'
import { makeTinyTeacher, tempDir } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let teacherPath: string
let store: LabStore
let service: RunService

beforeAll(async () => {
  root = tempDir('run-phases')
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

const config = () => ({ teacher: teacherPath, batch: 16, steps: 30, evalSamples: 64, sampleEvery: 0, backend: 'cpu' })

describe('#19 run phases with a real engine', () => {
  it('#19 launch -> engine -> preparing -> steps -> final evaluation (models x NFE) -> finished', async () => {
    const seen: { phase: RunPhase | null; lastStep: number }[] = []
    let lastStep = 0
    const off = service.subscribe((u: RunUpdate) => {
      if (u.type === 'metrics') for (const p of u.points) if (p.key === 'loss') lastStep = Math.max(lastStep, p.step)
      if (u.type === 'phase') seen.push({ phase: u.phase, lastStep })
    })
    const run = await service.startDistill(config())
    // runs.get carries the phase of a run launched before anyone listened.
    expect(service.get(run.id).phase?.name).toBe('engine')
    await service.whenIdle()
    off()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    const names = seen.map((s) => s.phase?.name ?? null)
    expect(names.slice(0, 4)).toEqual(['engine', 'preparing', null, 'evaluation'])
    expect(names.at(-1)).toBeNull()
    const evaluation = seen.filter((s) => s.phase?.name === 'evaluation')
    const total = evaluation[0]?.phase?.total ?? 0
    // The teacher's K = 1, 10, 100 (measured at the end: no evaluation before) and the student's NFE 1, 2, 4, 8.
    expect(total).toBe(7)
    expect(evaluation[0]?.phase?.done).toBe(0)
    expect(evaluation.at(-1)?.phase?.done).toBe(total)
    expect(new Set(evaluation.map((s) => s.phase?.since)).size).toBe(1)
    // The phase begins after the last step's points reached subscribers.
    expect(evaluation[0]?.lastStep).toBe(30)
    expect(service.get(run.id).phase).toBeUndefined()
  }, 120_000)

  it('#19 clab distill shows the engine starting and the final evaluation with its count', async () => {
    const result = await clab(
      ['distill', '--teacher', teacherPath, '--steps', '20', '--batch', '16', '--eval-samples', '64'].concat([
        '--sample-every',
        '0',
        '--backend',
        'cpu',
        '--dataset',
        'moons',
      ]),
      { env: { CLAB_DATA_DIR: join(root.dir, 'cli-data') } },
    )
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stderr.split('\n')
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line))
    expect(at(/^starting engine \(loading backend\), \d+\.\d s$/)).toBeGreaterThanOrEqual(0)
    expect(at(/^starting engine \(loading backend\), \d+\.\d s \(done\)$/)).toBeGreaterThan(0)
    const firstEval = at(/^final evaluation: 0 of 7 models x NFE, \d+\.\d s$/)
    const lastStep = at(/^distill: 20\/20 \(100%/)
    expect(lastStep).toBeGreaterThan(0)
    expect(firstEval).toBeGreaterThan(lastStep)
    expect(at(/^final evaluation: 7 of 7 models x NFE, \d+\.\d s \(done\)$/)).toBeGreaterThan(firstEval)
  }, 120_000)
})
