/** The in-process parts of the engine host: metric batching, the port choice, message validation. */
import { describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { describeMessageError, HostToEngineSchema, type MetricPoint } from '@shared/ipc/engine-messages'
import { MetricsBatcher } from '../../src-main/trainer-host/metrics-batcher'
import { selectPort } from '../../src-main/trainer-host/port'

const point = (step: number): MetricPoint => ({ step, loss: 1 / step, lr: 1e-4, wallMs: step })

describe('MetricsBatcher', () => {
  it('flushes every 100 ms, at 500 points, and on demand; never an empty batch', () => {
    let now = 0
    const batches: number[][] = []
    const batcher = new MetricsBatcher(
      (points) => batches.push(points.map((p) => p.step)),
      () => now,
    )
    for (let s = 1; s <= 3; s++) batcher.add(point(s))
    expect(batches).toEqual([])
    now = 100
    batcher.add(point(4))
    expect(batches).toEqual([[1, 2, 3, 4]])
    for (let s = 5; s <= 504; s++) batcher.add(point(s))
    expect(batches).toHaveLength(2)
    expect(batches[1]).toHaveLength(500)
    batcher.flush()
    batcher.flush()
    expect(batches).toHaveLength(2)
    batcher.add(point(505))
    batcher.flush()
    expect(batches[2]).toEqual([505])
  })
})

describe('selectPort', () => {
  it('uses process.parentPort when it exists (an Electron utility process)', async () => {
    const posted: unknown[] = []
    let listener: ((e: { data: unknown }) => void) | null = null
    const parentPort = {
      postMessage: (m: unknown) => posted.push(m),
      on: (_: 'message', l: (e: { data: unknown }) => void) => (listener = l),
    }
    const port = selectPort({ parentPort } as unknown as NodeJS.Process)
    expect(port.kind).toBe('electron-utility')
    const received: unknown[] = []
    port.onMessage((m) => received.push(m))
    port.post({ type: 'ready', pid: 1 })
    ;(listener as unknown as (e: { data: unknown }) => void)({ data: { type: 'pause' } })
    expect(posted).toEqual([{ type: 'ready', pid: 1 }])
    expect(received).toEqual([{ type: 'pause' }])
    await port.drain()
  })

  it('refuses to run without an IPC channel', () => {
    expect(() => selectPort({ on: () => undefined } as unknown as NodeJS.Process)).toThrow(/no IPC channel/)
  })
})

describe('HostToEngineSchema', () => {
  const job = {
    kind: 'distill',
    runId: 'r1',
    config: DISTILL_DEFAULTS,
    teacherPath: 'builtin',
    checkpointDir: '/c',
    samplesDir: '/s',
  }

  it('accepts controls and a complete job', () => {
    for (const type of ['pause', 'resume', 'cancel']) expect(HostToEngineSchema.safeParse({ type }).success).toBe(true)
    expect(HostToEngineSchema.safeParse({ type: 'start', job }).success).toBe(true)
  })

  it('names the field and the value of what it refuses', () => {
    const check = (message: unknown) => {
      const result = HostToEngineSchema.safeParse(message)
      if (result.success) throw new Error('expected a failure')
      return describeMessageError(result.error, message)
    }
    expect(
      check({ type: 'start', job: { ...job, config: { ...DISTILL_DEFAULTS, warmupSteps: 10, steps: 5 } } }),
    ).toContain('job.config.warmupSteps')
    expect(check({ type: 'start', job: { ...job, kind: 'student' } })).toContain(
      "job.kind must be 'distill' or 'teacher'",
    )
    expect(check({ type: 'start', job: { ...job, extra: 1 } })).toContain('unknown field(s) extra')
    expect(check({ type: 'start', job: { ...job, config: { ...DISTILL_DEFAULTS, lr: 0 } } })).toBe(
      'job.config.lr: learning rate must be > 0 (got 0)',
    )
    expect(check({ type: 'stop' })).toContain('message type must be one of')
  })
})
