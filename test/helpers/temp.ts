/** Temp folders that tests remove after themselves, so a suite run leaves nothing in the system's temp folder. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, onTestFinished } from 'vitest'

const make = (prefix: string) => mkdtempSync(join(tmpdir(), `clab-${prefix}-`))
const remove = (dir: string) => () => rmSync(dir, { recursive: true, force: true })

/** A folder for the whole test file (call at its top level), removed after its last test. */
export function fileTempDir(prefix: string): string {
  const dir = make(prefix)
  afterAll(remove(dir))
  return dir
}

/** A folder for one test (call inside it), removed when that test ends, passed or failed. */
export function testTempDir(prefix: string): string {
  const dir = make(prefix)
  onTestFinished(remove(dir))
  return dir
}
