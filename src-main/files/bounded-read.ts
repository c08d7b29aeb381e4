/**
 * Reading a file someone else named (an API payload, a stored config) without trusting it: asynchronously,
 * so the server's event loop never waits on the disk; only a regular file (a FIFO would block the read
 * forever, /dev/zero would never end), checked on the opened descriptor so a swap after the check does not
 * matter; and only up to a size cap, checked before a byte is read.
 */
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'

export class BoundedReadError extends Error {
  constructor(
    readonly path: string,
    readonly reason: 'missing' | 'not-a-file' | 'too-large' | 'unreadable',
    message: string,
  ) {
    super(message)
    this.name = 'BoundedReadError'
  }
}

/** The bytes of the regular file at `path`, at most `maxBytes` of them (else BoundedReadError). */
export async function readBoundedFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle
  try {
    // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BoundedReadError(path, 'missing', `${path} does not exist`)
    throw new BoundedReadError(path, 'unreadable', `${path} cannot be read (${code ?? (error as Error).message})`)
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new BoundedReadError(path, 'not-a-file', `${path} is not a regular file`)
    if (stat.size > maxBytes)
      throw new BoundedReadError(path, 'too-large', `${path} is ${stat.size} bytes, more than the ${maxBytes} allowed`)
    const bytes = Buffer.alloc(stat.size)
    let read = 0
    while (read < bytes.length) {
      const { bytesRead } = await handle.read(bytes, read, bytes.length - read, read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    return read === bytes.length ? bytes : bytes.subarray(0, read)
  } catch (error) {
    if (error instanceof BoundedReadError) throw error
    throw new BoundedReadError(
      path,
      'unreadable',
      `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    )
  } finally {
    await handle.close()
  }
}
