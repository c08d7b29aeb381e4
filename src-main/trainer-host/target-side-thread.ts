/**
 * CD's stop-gradient side on a second core (the "use both cores"): a worker thread with its own
 * tfjs runs the target network for batch t while this thread runs the student's forward pass, then the
 * teacher's ODE step for batch t + 1 while this thread runs the backward pass and Adam. The Distiller
 * sees the synchronous TargetSideOffload interface; the handover is shared memory and Atomics
 * (target-side-channel.ts), since a training step cannot await.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BackendChoice } from '@shared/config/fields'
import type { TargetSideOffload, TeacherSolve, TeacherStepInput } from '../engine/cd-target-side'
import type { DataShape } from '../engine/data-source'
import type { TeacherModel } from '../engine/teacher-model'
import { parameterCount } from '../engine/weights'
import {
  allocateChannel,
  channelViews,
  DONE,
  FAILED,
  JOB,
  readError,
  REQUEST,
  STATE,
  STOP,
  TARGET_DONE,
  WITH_TARGET,
  WITH_TEACHER_STEP,
  type ChannelViews,
} from './target-side-channel'
import type { TargetSideWorkerData } from './target-side-worker'
import { bundledTargetWorker } from './bundled-entries'

/**
 * In the built app the worker is out/main/target-side-worker.js, next to this chunk. Otherwise (the sources,
 * or the CLI build, which keeps the sources' import.meta.url) it is the CLI build's worker while that is
 * fresh, else the sources through tsx (bundled-entries.ts).
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./target-side-worker.js', import.meta.url)
  return bundledTargetWorker() ?? new URL('./target-side-worker.bootstrap.mjs', import.meta.url)
}

/** A U-Net teacher's Heun step on a large batch takes seconds on wasm; no job takes this long. */
const ANSWER_TIMEOUT_MS = 10 * 60_000

/** Worth a thread only when there is a second core. CLAB_TARGET_THREAD=0 turns it off, =1 on regardless. */
export function targetThreadWanted(backend: string): boolean {
  // On a GPU the device runs the target side alongside the step already; a CPU thread would only copy weights.
  if (backend === 'webgpu' || backend === 'node-gpu') return false
  const setting = process.env.CLAB_TARGET_THREAD
  if (setting === '0' || setting === '1') return setting === '1'
  return availableParallelism() >= 2
}

/** CLAB_TARGET_THREAD=1 also has the run wait for the thread, so it computes every step's target (tests, benchmarks). */
export function targetThreadRequired(): boolean {
  return process.env.CLAB_TARGET_THREAD === '1'
}

export interface TargetThreadOptions {
  backend: BackendChoice
  teacher: TeacherModel
  data: DataShape
  solve: TeacherSolve
  sigmaData: number
  batch: number
}

export class TargetSideThread implements TargetSideOffload {
  private closed = false

  private constructor(
    private readonly worker: Worker,
    private readonly views: ChannelViews,
  ) {}

  /** Starts the worker and resolves once its backend and teacher are loaded. */
  static async start(options: TargetThreadOptions): Promise<TargetSideThread> {
    const channel = allocateChannel(
      options.batch,
      options.data.dim,
      parameterCount(options.teacher.weights.variables()),
    )
    const workerData: TargetSideWorkerData = {
      backend: options.backend,
      teacherConfig: options.teacher.config,
      teacherArrays: await options.teacher.weights.toArrays(),
      // Only the shape: a DataSource carries functions, which cannot cross to a thread.
      data: { dim: options.data.dim, image: options.data.image },
      solve: options.solve,
      sigmaData: options.sigmaData,
      channel,
    }
    const worker = new Worker(workerEntry(), { workerData })
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('message', (m: { type: string; message?: string }) =>
          m.type === 'ready' ? resolve() : reject(new Error(`target-side thread: ${m.message ?? m.type}`)),
        )
        worker.once('error', reject)
        worker.once('exit', (code) =>
          reject(new Error(`target-side thread exited with code ${code} before it was ready`)),
        )
      })
    } catch (error) {
      await worker.terminate()
      throw error
    }
    // A run that ends without close() (an exception on the way out) must not keep the process alive.
    worker.unref()
    return new TargetSideThread(worker, channelViews(channel))
  }

  submitTeacherStep(next: TeacherStepInput): void {
    this.submit(null, next)
  }

  submitTarget(targetWeights: Float32Array, next: TeacherStepInput | null): void {
    this.submit(targetWeights, next)
  }

  takeTarget(): Float32Array {
    this.waitFor(TARGET_DONE)
    return this.views.target.slice()
  }

  private submit(targetWeights: Float32Array | null, next: TeacherStepInput | null): void {
    // The worker may still be on a job nobody took the target of (a run paused with one in flight).
    this.waitFor(DONE)
    const { views } = this
    if (targetWeights) views.weights.set(targetWeights)
    if (next) {
      views.xStudent.set(next.xStudent)
      views.studentSteps.set(next.studentSteps)
      views.targetSteps.set(next.targetSteps)
    }
    Atomics.store(views.control, JOB, (targetWeights ? WITH_TARGET : 0) | (next ? WITH_TEACHER_STEP : 0))
    Atomics.add(views.control, REQUEST, 1)
    Atomics.notify(views.control, REQUEST)
  }

  /** Blocks until the worker has set `slot` to the latest request; throws what the worker reported. */
  private waitFor(slot: typeof TARGET_DONE | typeof DONE): void {
    if (this.closed) throw new Error('target-side thread is closed')
    const { control } = this.views
    const request = Atomics.load(control, REQUEST)
    const started = performance.now()
    for (;;) {
      const done = Atomics.load(control, slot)
      if (done === request) break
      if (performance.now() - started > ANSWER_TIMEOUT_MS)
        throw new Error(`target-side thread gave no answer in ${ANSWER_TIMEOUT_MS / 60_000} minutes`)
      Atomics.wait(control, slot, done, 1000)
    }
    if (Atomics.load(control, STATE) === FAILED) throw new Error(`target-side thread failed: ${readError(this.views)}`)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const { control } = this.views
    Atomics.store(control, STATE, STOP)
    Atomics.add(control, REQUEST, 1)
    Atomics.notify(control, REQUEST)
    await this.worker.terminate()
  }
}
