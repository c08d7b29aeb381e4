import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { EngineJob } from '@shared/ipc/engine-messages'
import type { EngineEvent } from '../../src-main/services/engine-host'
import {
  UtilityEngineHost,
  type UtilityChildLike,
  type UtilityForkOptions,
} from '../../src-main/app/utility-engine-host'

class FakeChild extends EventEmitter implements UtilityChildLike {
  readonly pid = 4242
  readonly stdout = new PassThrough()
  readonly stderr = new PassThrough()
  readonly posted: unknown[] = []
  killed = false
  postMessage(message: unknown): void {
    this.posted.push(message)
  }
  kill(): boolean {
    this.killed = true
    return true
  }
}

function setup() {
  const child = new FakeChild()
  const forks: Array<{ path: string; options: UtilityForkOptions }> = []
  const host = new UtilityEngineHost({
    entry: '/app/out/main/trainer-host.js',
    fork: (path, options) => {
      forks.push({ path, options })
      return child
    },
  })
  const events: EngineEvent[] = []
  host.on((e) => events.push(e))
  return { child, host, events, forks }
}

const job = { kind: 'teacher', runId: 'run-1' } as unknown as EngineJob

describe('UtilityEngineHost', () => {
  it('forks the built entry with piped stdio, queues until ready, then posts in order', () => {
    const { child, host, forks } = setup()
    expect(forks).toEqual([
      { path: '/app/out/main/trainer-host.js', options: { serviceName: 'Consistency Lab engine', stdio: 'pipe' } },
    ])
    expect(host.pid).toBe(4242)
    host.start(job)
    host.pause()
    expect(child.posted).toEqual([])
    child.emit('message', { type: 'ready' })
    expect(child.posted).toEqual([{ type: 'start', job }, { type: 'pause' }])
    expect(host.activeRunId).toBe('run-1')
    expect(() => host.start(job)).toThrow(/busy/)
  })

  it('an exit during a job becomes a failed ENGINE_EXITED naming the step and the last output', async () => {
    const { child, host, events } = setup()
    child.emit('message', { type: 'ready' })
    host.start(job)
    child.emit('message', { type: 'started', runId: 'run-1', step: 0 })
    child.emit('message', { type: 'metrics', runId: 'run-1', points: [{ key: 'loss', step: 7, value: 1, wallMs: 0 }] })
    child.stderr.write('CUDA out of memory\n')
    await new Promise((r) => setImmediate(r))
    child.emit('exit', 134)
    await expect(host.exited).resolves.toEqual({ code: 134, signal: null })
    const failed = events.find((e) => e.type === 'failed')
    expect(failed).toMatchObject({ type: 'failed', runId: 'run-1', step: 7, error: { code: 'ENGINE_EXITED' } })
    expect((failed as { error: { message: string } }).error.message).toMatch(
      /code 134 during step 8; last output: CUDA out of memory/,
    )
    expect(events.at(-1)).toEqual({ type: 'exit', code: 134, signal: null })
    expect(host.activeRunId).toBeNull()
    expect(() => host.start(job)).toThrow(/exited/)
  })

  it('a finished job leaves nothing to fail; kill ends the process once', async () => {
    const { child, host, events } = setup()
    child.emit('message', { type: 'ready' })
    host.start(job)
    child.emit('message', { type: 'finished', runId: 'run-1', step: 10 })
    expect(host.activeRunId).toBeNull()
    host.kill('SIGKILL')
    expect(child.killed).toBe(true)
    child.emit('exit', 0)
    await host.exited
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(0)
  })
})
