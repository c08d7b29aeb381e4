/**
 * The target-side thread inside the engine process, from sources (bootstrap.mjs, tsx) and from the built
 * bundle (out/main/trainer-host.js, whose worker is out/main/target-side-worker.js): both give the loss
 * sequence of an engine process told to keep everything on one thread (CLAB_TARGET_THREAD=0). The bundle is
 * built first when out/ is missing (as the e2e tests do), so `npm test` alone works on a fresh clone.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ForkedEngineHost } from '../../src-main/services/engine-host'
import { claimRenderer } from '../e2e/renderer-build'
import { distillJob, EventLog, makeTinyTeacher, tempDir } from './helpers'

const BUILT_ENTRY = join(import.meta.dirname, '..', '..', 'out', 'main', 'trainer-host.js')

let root: { dir: string; remove: () => void }
let teacherPath: string

beforeAll(async () => {
  root = tempDir('target-side-in-engine')
  teacherPath = join(root.dir, 'teacher.ckpt')
  await makeTinyTeacher(teacherPath)
})
afterAll(() => root?.remove())

/** `thread`: '0' one thread, '1' the thread from the first step, 'auto' (unset) the thread when it is ready. */
async function losses(
  options: {
    entry?: string
    thread: '0' | '1' | 'auto'
    steps?: number
    backend?: 'cpu' | 'wasm'
    wasmThreads?: number
  },
  solver: 'ddim' | 'heun',
): Promise<{ losses: number[]; stderr: string[]; stdout: string[]; backend: string | undefined }> {
  const env = {
    ...process.env,
    CLAB_TARGET_THREAD: options.thread === 'auto' ? undefined : options.thread,
    CLAB_WASM_THREADS: options.wasmThreads === undefined ? undefined : String(options.wasmThreads),
    // Without an entry, the sources (bootstrap.mjs and the worker's through tsx), not the CLI build's.
    CLAB_NO_BUNDLE: options.entry ? undefined : '1',
  }
  const host = new ForkedEngineHost({ ...(options.entry ? { entry: options.entry } : {}), env })
  const log = new EventLog(host)
  try {
    const steps = options.steps ?? 40
    const job = distillJob(root.dir, teacherPath, {
      steps,
      solver,
      targetEma: 0.5,
      ...(options.backend ? { backend: options.backend } : {}),
    })
    host.start(job)
    // 600 steps took 15 s alone here and over 30 s on a machine loaded three times over.
    expect(await log.terminal(job.runId, 240_000)).toMatchObject({ type: 'finished', step: steps })
    const lines = (stream: 'stdout' | 'stderr') =>
      log.events.flatMap((e) => (e.type === 'log' && e.stream === stream ? [e.line] : []))
    const started = log.events.find((e) => e.type === 'started')
    return {
      losses: log.points(job.runId).map((p) => p.loss),
      stderr: lines('stderr'),
      stdout: lines('stdout'),
      backend: started?.type === 'started' ? started.backend : undefined,
    }
  } finally {
    host.kill()
    await host.exited
  }
}

describe('CD with the target side on a second thread, in the engine process', () => {
  it.each(['ddim', 'heun'] as const)(
    '%s: from sources, the same losses as on one thread, and the thread did start',
    async (solver) => {
      const one = await losses({ thread: '0' }, solver)
      const two = await losses({ thread: '1' }, solver)
      expect(two.stderr.filter((l) => l.includes('stay on the engine thread'))).toEqual([])
      expect(two.stdout).toContain('teacher and target on a second thread from step 1')
      expect(one.stdout.filter((l) => l.includes('second thread'))).toEqual([])
      expect(two.losses).toEqual(one.losses)
    },
  )

  it('by default the run starts at once and the thread takes over when ready, with the same losses', async () => {
    const steps = 600
    const one = await losses({ thread: '0', steps }, 'ddim')
    const auto = await losses({ thread: 'auto', steps }, 'ddim')
    expect(auto.losses).toEqual(one.losses)
    const handover = auto.stdout.filter((l) => l.startsWith('teacher and target on a second thread from step '))
    // The thread is only wanted with a second core (CI machines have two).
    expect(handover).toHaveLength(availableParallelism() >= 2 ? 1 : 0)
  }, 600_000)

  it('from the built bundle too, with the threaded wasm loader on the engine thread', async () => {
    // The e2e tests' build check: builds out/ (main and renderer) when it is missing, as after a fresh clone.
    const release = await claimRenderer()
    let built
    try {
      expect(existsSync(BUILT_ENTRY), `${BUILT_ENTRY} is missing: run npm run build`).toBe(true)
      // wasm with two XNNPACK threads on the engine thread (the worker keeps one): the threaded loader
      // (wasm-threads.ts) must load and run from the bundle's chunks too.
      built = await losses({ entry: BUILT_ENTRY, thread: '1', backend: 'wasm', wasmThreads: 2 }, 'heun')
    } finally {
      release()
    }
    const one = await losses({ thread: '0', backend: 'wasm', wasmThreads: 1 }, 'heun')
    expect(built.backend).toBe('wasm (2 threads)')
    expect(one.backend).toBe('wasm')
    expect(built.stdout).toContain('teacher and target on a second thread from step 1')
    expect(built.stderr.filter((l) => l.includes('stay on the engine thread'))).toEqual([])
    expect(built.losses).toEqual(one.losses)
  })
})
