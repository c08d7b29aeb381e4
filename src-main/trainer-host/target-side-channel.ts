/**
 * The shared memory between the Distiller's thread and the target-side worker (target-side-thread.ts).
 * One job at a time: optionally the target network on the batch whose teacher step was done before
 * (with the weights written here), then optionally the teacher step of the next batch. Handover is by
 * Atomics, since a training step is synchronous and cannot await a message.
 *
 *   control[REQUEST]      bumped by the client when a job is written
 *   control[TARGET_DONE]  set by the worker to REQUEST once the job's target is in `target`
 *   control[DONE]         set by the worker to REQUEST once the whole job is done
 *   control[STATE]        OK, FAILED (message in `error`) or STOP
 *   control[JOB]          WITH_TARGET | WITH_TEACHER_STEP
 */
export const REQUEST = 0
export const TARGET_DONE = 1
export const DONE = 2
export const STATE = 3
export const ERROR_LENGTH = 4
export const JOB = 5

export const OK = 0
export const FAILED = 1
export const STOP = 2

export const WITH_TARGET = 1
export const WITH_TEACHER_STEP = 2

const ERROR_BYTES = 4096

export interface ChannelBuffers {
  control: SharedArrayBuffer
  data: SharedArrayBuffer
  error: SharedArrayBuffer
  batch: number
  dim: number
  parameters: number
}

export interface ChannelViews {
  control: Int32Array
  /** The next batch's x_hi and levels. */
  xStudent: Float32Array
  studentSteps: Int32Array
  targetSteps: Int32Array
  /** The target network's output, [batch, dim]. */
  target: Float32Array
  /** The target's weights, flattened (readFlatVariables). */
  weights: Float32Array
  error: Uint8Array
}

export function allocateChannel(batch: number, dim: number, parameters: number): ChannelBuffers {
  return {
    control: new SharedArrayBuffer(6 * Int32Array.BYTES_PER_ELEMENT),
    // Every entry is a 4-byte value: x_hi, two step indices per example, the target output, the weights.
    data: new SharedArrayBuffer(4 * (2 * batch * dim + 2 * batch + parameters)),
    error: new SharedArrayBuffer(ERROR_BYTES),
    batch,
    dim,
    parameters,
  }
}

export function channelViews(buffers: ChannelBuffers): ChannelViews {
  const { batch, dim, data, parameters } = buffers
  const rows = batch * dim
  return {
    control: new Int32Array(buffers.control),
    xStudent: new Float32Array(data, 0, rows),
    studentSteps: new Int32Array(data, 4 * rows, batch),
    targetSteps: new Int32Array(data, 4 * (rows + batch), batch),
    target: new Float32Array(data, 4 * (rows + 2 * batch), rows),
    weights: new Float32Array(data, 4 * (2 * rows + 2 * batch), parameters),
    error: new Uint8Array(buffers.error),
  }
}

export function writeError(views: ChannelViews, message: string): void {
  const bytes = new TextEncoder().encode(message).subarray(0, views.error.length)
  views.error.set(bytes)
  Atomics.store(views.control, ERROR_LENGTH, bytes.length)
}

export function readError(views: ChannelViews): string {
  const length = Atomics.load(views.control, ERROR_LENGTH)
  // TextDecoder refuses views of shared memory: copy out first.
  return new TextDecoder().decode(views.error.slice(0, length))
}
