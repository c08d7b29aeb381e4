import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs script module without types
import { failureReason, tryDownload } from '../../scripts/electron-download.mjs'
import { testTempDir } from '../helpers/temp'

const STACK = `node:internal/deps/undici/undici:13502
      Error.captureStackTrace(err);
            ^

TypeError: fetch failed
    at node:internal/deps/undici/undici:13502:13
    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)
    at async downloadArtifact (/x/node_modules/@electron/get/dist/index.js:1:1) {
  [cause]: Error: getaddrinfo ENOTFOUND github.com
      at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:120:26)
}`

describe('#19 item 17: npm start without the Electron binary prints a message, not a stack', () => {
  it('reduces a stack to its one reason', () => {
    expect(failureReason(STACK)).toBe('TypeError: fetch failed (getaddrinfo ENOTFOUND github.com)')
    const reason = failureReason(STACK) as string
    expect(reason).toMatch(/TypeError: fetch failed|ENOTFOUND/)
    expect(reason).not.toMatch(/\n|\s+at\s/)
    expect(failureReason('')).toBeNull()
  })

  it('captures the real output of a failing download tool and returns only the reason', () => {
    // A real child process that fails as the download tool does offline.
    const dir = testTempDir('start')
    const script = join(dir, 'fail.mjs')
    writeFileSync(script, 'await fetch("http://127.0.0.1:9/unreachable")\n')
    const reason = tryDownload(spawnSync, process.execPath, [script], {})
    expect(reason).toMatch(/TypeError: fetch failed|ECONNREFUSED/)
    expect(reason).not.toContain('    at ')
    expect(tryDownload(spawnSync, process.execPath, ['-e', 'process.exit(0)'], {})).toBeNull()
  })

  it('start.mjs no longer lets the download tool print to the terminal', async () => {
    const { readFileSync } = await import('node:fs')
    const text = readFileSync(new URL('../../scripts/start.mjs', import.meta.url), 'utf8')
    expect(text).toContain("tryDownload(spawnSync, npx, ['install-electron'")
    expect(text).not.toMatch(/spawnSync\(npx, \['install-electron'[^)]*stdio: 'inherit'/)
  })
})
