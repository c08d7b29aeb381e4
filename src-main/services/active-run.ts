/** An engine working on a run, as RunService holds it, and how it is stopped when the app closes. */
import type { EngineHost } from './engine-host'

export interface ActiveRun {
  host: EngineHost
  off: () => void
  /** Set once the engine reported a terminal event; the host is then retired. */
  ended: boolean
  evalSeed: number
}

const TERMINAL_MESSAGES = new Set(['finished', 'failed', 'cancelled'])

/** Whether an engine event ends the run (the engine is retired after it). */
export function isTerminalMessage(type: string): boolean {
  return TERMINAL_MESSAGES.has(type)
}

/** Asks the engine to cancel (it checkpoints first), killing it when it has not exited within `ms`. */
export async function cancelOrKill(host: EngineHost, ms: number): Promise<void> {
  host.cancel()
  const stopped = await Promise.race([host.exited.then(() => true), delay(ms).then(() => false)])
  if (!stopped) host.kill('SIGKILL')
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
