/**
 * #16 one bounded asynchronous reader (safe-fs readRegularFileAsync) for history files and teacher files
 * alike: only a regular file, at most the cap; a link refused unless the caller allows it (a teacher the
 * user named), each refusal with its kind, so the teacher's messages stay what they were.
 */
import { spawnSync } from 'node:child_process'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readRegularFileAsync, UnsafePathError } from '../../src-main/files/safe-fs'
import { readTeacherFileAsync } from '../../src-main/files/teacher-file'
import { tempDir } from '../trainer-host/helpers'

const root = tempDir('bounded-read')
afterAll(() => root.remove())

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(UnsafePathError)
  return (error as UnsafePathError).refusal
}

describe('#16 the one bounded reader', () => {
  const file = join(root.dir, 'a.bin')
  const link = join(root.dir, 'link.bin')
  writeFileSync(file, Buffer.from([1, 2, 3, 4]))
  symlinkSync(file, link)

  it('#16 reads a regular file up to its cap; a larger, missing or special file is refused by kind', async () => {
    expect([...(await readRegularFileAsync(file, 4))]).toEqual([1, 2, 3, 4])
    expect(await refusal(readRegularFileAsync(file, 3))).toBe('too-large')
    expect(await refusal(readRegularFileAsync(join(root.dir, 'none'), 4))).toBe('missing')
    expect(await refusal(readRegularFileAsync(root.dir, 4))).toBe('not-a-file')
    const fifo = join(root.dir, 'f.fifo')
    // With the system's mkfifo; skipped where there is none.
    if (spawnSync('mkfifo', [fifo]).status === 0)
      expect(await refusal(readRegularFileAsync(fifo, 4))).toBe('not-a-file')
  })

  it('#16 a link is refused unless the caller follows links (a teacher file)', async () => {
    expect(await refusal(readRegularFileAsync(link, 4))).toBe('not-a-file')
    expect([...(await readRegularFileAsync(link, 4, { followLinks: true }))]).toEqual([1, 2, 3, 4])
  })

  it('#16 a teacher file read through it keeps its messages', async () => {
    const missing = join(root.dir, 'nope.ckpt')
    await expect(readTeacherFileAsync(missing, 'moons')).rejects.toThrow(`checkpoint ${missing} does not exist`)
    await expect(readTeacherFileAsync(root.dir, 'moons')).rejects.toThrow(
      `checkpoint ${root.dir} is not a regular file`,
    )
  })
})
