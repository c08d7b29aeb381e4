/**
 * The e2e fixture's own guarantees that need no browser: a missing Chromium fails the tests with the fix
 * (never a silent skip), and the screenshot folder names stay predictable.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findChromium, requireChromium } from './chromium'
import { slug, startLab } from './lab'

const dir = mkdtempSync(join(tmpdir(), 'clab-e2e-fixture-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('finding Chromium', () => {
  it('finds an executable chromium on PATH, and nothing where there is none', () => {
    const fake = join(dir, 'chromium')
    writeFileSync(fake, '#!/bin/sh\n')
    chmodSync(fake, 0o755)
    expect(findChromium({ PATH: dir }, [])).toBe(fake)
    expect(findChromium({ PATH: join(dir, 'nowhere') }, [])).toBeNull()
    const notExecutable = join(dir, 'plain')
    writeFileSync(notExecutable, '')
    chmodSync(notExecutable, 0o644)
    expect(findChromium({ CHROMIUM_PATH: notExecutable, PATH: dir }, [])).toBeNull()
    expect(findChromium({ CHROMIUM_PATH: fake, PATH: '' }, [])).toBe(fake)
  })

  it('fails (does not skip) with the install command when Chromium is missing', async () => {
    const env = { CHROMIUM_PATH: join(dir, 'no-such-chromium') }
    expect(() => requireChromium(env)).toThrow(/apt-get install -y chromium/)
    const saved = process.env.CHROMIUM_PATH
    process.env.CHROMIUM_PATH = env.CHROMIUM_PATH
    try {
      await expect(startLab('no browser')).rejects.toThrow(/Chromium not found.*apt-get install -y chromium/)
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH
      else process.env.CHROMIUM_PATH = saved
    }
  })
})

it('names screenshot folders after the test, safely', () => {
  expect(slug('Compare: two runs / N=18')).toBe('compare-two-runs-n-18')
  expect(slug('../..')).toBe('unnamed')
})
