/** Temp folders that tests remove after themselves, so a suite run leaves nothing in the system's temp folder. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, onTestFinished } from 'vitest'

/** A fresh folder `clab-<prefix>-XXXXXX` in the system's temp folder; the caller removes it. */
export const makeTempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `clab-${prefix}-`))
const remove = (dir: string) => () => rmSync(dir, { recursive: true, force: true })

/** A folder for the whole test file (call at its top level), removed after its last test. */
export function fileTempDir(prefix: string): string {
  const dir = makeTempDir(prefix)
  afterAll(remove(dir))
  return dir
}

/** A folder for one test (call inside it), removed when that test ends, passed or failed. */
export function testTempDir(prefix: string): string {
  const dir = makeTempDir(prefix)
  onTestFinished(remove(dir))
  return dir
}

/**
 * Folders made on demand anywhere in a test file, at its top level or inside a test (call at its top level):
 * `fresh(prefix)` makes one; all are removed after the file's last test.
 */
export function tempFolders(): { fresh(prefix: string): string } {
  const made: string[] = []
  afterAll(() => {
    for (const dir of made.splice(0)) remove(dir)()
  })
  return {
    fresh(prefix) {
      const dir = makeTempDir(prefix)
      made.push(dir)
      return dir
    },
  }
}
