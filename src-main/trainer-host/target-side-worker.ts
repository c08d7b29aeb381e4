/**
 * The target-side worker thread (see target-side-thread.ts): its own tfjs on the run's backend running
 * the engine's CdTargetSide, one job at a time through shared memory. It blocks in Atomics.wait between
 * jobs and does not return to its event loop until told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { BackendChoice } from '@shared/config/fields'
import type { TeacherConfig } from '@shared/config/schemas'
import { selectBackend } from '../engine/backend'
import { CdTargetSide, type TeacherSolve } from '../engine/cd-target-side'
import type { DataShape } from '../engine/data-source'
import { loadTeacherModel } from '../engine/teacher-model'
import type { WeightArrays } from '../engine/weights'
import {
  channelViews,
  DONE,
  FAILED,
  JOB,
  REQUEST,
  STATE,
  STOP,
  TARGET_DONE,
  WITH_TARGET,
  WITH_TEACHER_STEP,
  writeError,
  type ChannelBuffers,
} from './target-side-channel'

export interface TargetSideWorkerData {
  backend: BackendChoice
  teacherConfig: TeacherConfig
  teacherArrays: WeightArrays
  data: DataShape
  solve: TeacherSolve
  sigmaData: number
  channel: ChannelBuffers
}

const init = workerData as TargetSideWorkerData
const port = parentPort
if (!port) throw new Error('target-side-worker runs only as a worker thread')

let side: CdTargetSide
try {
  // One XNNPACK thread: the engine's main thread already has the other core (wasm-threads.ts; a second
  // pool thread here measured no faster for the U-Net).
  await selectBackend(init.backend, { wasmThreads: 1 })
  side = new CdTargetSide(
    loadTeacherModel(init.teacherConfig, init.teacherArrays, init.data),
    init.solve,
    init.sigmaData,
  )
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message })
  process.exit(1)
}
port.postMessage({ type: 'ready' })

const views = channelViews(init.channel)
const { control } = views
let answered = 0
for (;;) {
  Atomics.wait(control, REQUEST, answered)
  if (Atomics.load(control, STATE) === STOP) break
  const request = Atomics.load(control, REQUEST)
  if (request === answered) continue
  const job = Atomics.load(control, JOB)
  try {
    if (job & WITH_TARGET) views.target.set(side.target(views.weights))
    Atomics.store(control, TARGET_DONE, request)
    Atomics.notify(control, TARGET_DONE)
    if (job & WITH_TEACHER_STEP) {
      side.teacherStep({
        xStudent: views.xStudent.slice(),
        studentSteps: views.studentSteps.slice(),
        targetSteps: views.targetSteps.slice(),
      })
    }
  } catch (error) {
    writeError(views, (error as Error).message)
    Atomics.store(control, STATE, FAILED)
    Atomics.store(control, TARGET_DONE, request)
    Atomics.notify(control, TARGET_DONE)
  }
  answered = request
  Atomics.store(control, DONE, answered)
  Atomics.notify(control, DONE)
}
side.dispose()
