/**
 * How a job inside the engine process ends and is steered: JobError is an expected failure (the process
 * stays usable, main.ts reports `failed` with its code); anything else is a bug (INTERNAL, and the process
 * exits, since tfjs state may be inconsistent). JobControl is main.ts's pause / resume / cancel.
 */
import type { EngineErrorCode, EngineMessage } from '@shared/ipc/engine-messages'
import { NonFiniteLossError } from '../engine/distiller'
import { RunFileError } from '../files/run-sample-files'

export class JobError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'JobError'
  }
}

export interface JobControl {
  /** Polled between steps. */
  readonly pauseRequested: boolean
  readonly cancelRequested: boolean
  /** Call once stopped for a pause: resolves when the host sends resume or cancel. */
  waitWhilePaused(): Promise<'resume' | 'cancel'>
}

export interface JobContext {
  emit(message: EngineMessage): void
  control: JobControl
  /** The last step completed, kept up to date for failure reports. */
  step: number
}

export type Terminal = Extract<EngineMessage, { type: 'finished' | 'cancelled' }>

/**
 * The JobError that an error thrown while a job trains stands for: a loss that stopped being a number
 * (`note` may name the checkpoint to go back to), or a file that could not be written. Others are returned
 * unchanged, to be rethrown.
 */
export function asJobError(error: unknown, note = ''): unknown {
  if (error instanceof NonFiniteLossError) return new JobError('NON_FINITE_LOSS', `${error.message}${note}`)
  if (error instanceof RunFileError) return new JobError('IO', error.message)
  return error
}
