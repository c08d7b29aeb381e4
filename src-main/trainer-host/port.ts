/**
 * The engine process's link to its host, whichever way it was started: a forked Node child talks over
 * `process.send` / `process.on('message')`; an Electron utilityProcess over `process.parentPort` (a global
 * in utility processes, so no electron import is needed here).
 */

export interface MessagePortLike {
  post(message: unknown): void
  onMessage(handler: (message: unknown) => void): void
  /** Resolves once every posted message has left the process (call before exiting). */
  drain(): Promise<void>
  /** Called when the host goes away (the IPC channel closes). */
  onDisconnect(handler: () => void): void
  readonly kind: 'node-child' | 'electron-utility'
}

/** The part of Electron's ParentPort this uses (typed here to avoid importing electron). */
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
  postMessage(message: unknown): void
}

export function nodeChildPort(proc: NodeJS.Process = process): MessagePortLike {
  const send = proc.send?.bind(proc)
  if (!send)
    throw new Error('the engine process has no IPC channel: start it with child_process.fork or as a utilityProcess')
  let pending = 0
  let waiters: Array<() => void> = []
  const settle = () => {
    pending -= 1
    if (pending === 0) {
      const done = waiters
      waiters = []
      for (const w of done) w()
    }
  }
  return {
    kind: 'node-child',
    post(message) {
      if (!proc.connected) return
      pending += 1
      try {
        send(message, undefined, undefined, () => settle())
      } catch {
        // The channel closed between the check and the send; nothing can be told to the host any more.
        settle()
      }
    },
    onMessage(handler) {
      proc.on('message', (message: unknown) => handler(message))
    },
    drain() {
      return pending === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))
    },
    onDisconnect(handler) {
      proc.on('disconnect', handler)
    },
  }
}

export function electronParentPort(parentPort: ParentPortLike): MessagePortLike {
  return {
    kind: 'electron-utility',
    post(message) {
      parentPort.postMessage(message)
    },
    onMessage(handler) {
      parentPort.on('message', (event) => handler(event.data))
    },
    // postMessage hands the message to the port at once; one turn of the event loop lets it go out.
    drain: () => new Promise((resolve) => setImmediate(resolve)),
    // A utility process is killed with its parent; there is no separate disconnect to watch.
    onDisconnect() {},
  }
}

/** The Electron parent port when running as a utilityProcess, else the Node IPC channel. */
export function selectPort(proc: NodeJS.Process = process): MessagePortLike {
  const parentPort = (proc as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort
  return parentPort ? electronParentPort(parentPort) : nodeChildPort(proc)
}
