/** Shared set-up for the engine-process tests: a tiny teacher on disk, tiny jobs, and event collection. */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { DistillConfig } from '@shared/config/schemas'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import type { DistillJob, EngineMessage, MetricPoint } from '@shared/ipc/engine-messages'
import { selectBackend } from '../../src-main/engine/backend'
import { TeacherTrainer } from '../../src-main/engine/teacher-trainer'
import { writeCheckpoint } from '../../src-main/files/checkpoint-file'
import type { EngineEvent, EngineHost } from '../../src-main/services/engine-host'
import { makeTempDir } from '../helpers/temp'

export const TINY_TEACHER = {
  hiddenWidth: 16,
  hiddenDepth: 1,
  timeEmbeddingDim: 8,
  steps: 5,
  batch: 16,
  backend: 'cpu',
} as const

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = makeTempDir(prefix)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Trains the tiny teacher for its 5 steps and writes it (with optimizer state, as `clab teacher` does). */
export async function makeTinyTeacher(path: string): Promise<void> {
  await selectBackend('cpu')
  const trainer = new TeacherTrainer(parseTeacherConfig({ ...TINY_TEACHER }), 'cpu')
  try {
    for (let i = 0; i < TINY_TEACHER.steps; i++) await trainer.trainStep()
    writeCheckpoint(path, await trainer.snapshot())
  } finally {
    trainer.dispose()
  }
}

export function tinyDistillConfig(teacherPath: string, overrides: Partial<DistillConfig> = {}): DistillConfig {
  return parseDistillConfig({
    teacher: teacherPath,
    batch: 16,
    steps: 30,
    evalSamples: 64,
    checkpointEvery: 10,
    backend: 'cpu',
    ...overrides,
  })
}

let runs = 0

export function distillJob(
  root: string,
  teacherPath: string,
  overrides: Partial<DistillConfig> = {},
  extra: Partial<DistillJob> = {},
): DistillJob {
  const runId = `run-${++runs}`
  return {
    kind: 'distill',
    runId,
    config: tinyDistillConfig(teacherPath, overrides),
    teacherPath,
    checkpointDir: join(root, runId, 'checkpoints'),
    samplesDir: join(root, runId, 'samples'),
    ...extra,
  }
}

/** Records every event of a host and lets a test wait for one. */
export class EventLog {
  readonly events: EngineEvent[] = []
  private waiters: Array<{ test: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }> = []

  constructor(host: EngineHost) {
    host.on((event) => {
      this.events.push(event)
      for (const w of [...this.waiters]) {
        if (w.test(event)) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve(event)
        }
      }
    })
  }

  /** The first event (already seen or still to come) for which `test` holds. */
  waitFor<T extends EngineEvent>(test: (e: EngineEvent) => e is T, timeoutMs?: number): Promise<T>
  waitFor(test: (e: EngineEvent) => boolean, timeoutMs?: number): Promise<EngineEvent>
  waitFor(test: (e: EngineEvent) => boolean, timeoutMs = 30_000): Promise<EngineEvent> {
    const seen = this.events.find(test)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event in ${timeoutMs} ms; saw ${this.types().join(', ')}`)),
        timeoutMs,
      )
      this.waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) })
    })
  }

  /** The terminal event of `runId`; the wait covers the whole run, so a long run passes a longer one. */
  terminal(
    runId: string,
    timeoutMs?: number,
  ): Promise<Extract<EngineMessage, { type: 'finished' | 'failed' | 'cancelled' }>> {
    return this.waitFor(
      (e): e is Extract<EngineMessage, { type: 'finished' | 'failed' | 'cancelled' }> =>
        (e.type === 'finished' || e.type === 'failed' || e.type === 'cancelled') && e.runId === runId,
      timeoutMs,
    )
  }

  of<K extends EngineEvent['type']>(type: K, runId?: string): Array<Extract<EngineEvent, { type: K }>> {
    return this.events.filter(
      (e) => e.type === type && (runId === undefined || ('runId' in e && e.runId === runId)),
    ) as Array<Extract<EngineEvent, { type: K }>>
  }

  points(runId: string): MetricPoint[] {
    return this.of('metrics', runId).flatMap((m) => m.points)
  }

  /** Event types without logs, for assertions on order (metrics batches collapsed into one entry each). */
  types(runId?: string): string[] {
    return this.events
      .filter((e) => e.type !== 'log' && (runId === undefined || ('runId' in e && e.runId === runId)))
      .map((e) => e.type)
  }
}
