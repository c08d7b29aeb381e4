import { tf } from '../../src-main/engine/tf'

/** How many synchronous reads (the backend's readSync) `run` makes on the active backend. */
export function countReadSync(run: () => void): number {
  const backend = tf.backend() as unknown as { readSync: (...args: unknown[]) => unknown }
  const readSync = backend.readSync
  let reads = 0
  backend.readSync = (...args: unknown[]) => {
    reads += 1
    return readSync.apply(backend, args)
  }
  try {
    run()
  } finally {
    backend.readSync = readSync
  }
  return reads
}
