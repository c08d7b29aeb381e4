/**
 * #20 `npm run test:all` on a machine missing what the tests need: it installs the Debian packages as root or
 * through sudo, and with neither it prints the exact commands and fails before running anything. The real
 * script runs with a PATH where chromium is absent and dpkg-query, id and apt-get are stand-ins that record
 * their calls, so nothing is installed on this machine.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const made: string[] = []
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

const bookworm = /^VERSION_CODENAME=bookworm$/m.test(readFileSync('/etc/os-release', 'utf8'))
const mesaFrom = bookworm ? '-t bookworm-backports ' : ''

/** A bin folder with the real tools the script needs and stand-ins for the rest; `log` records stand-in calls. */
function fakeMachine(options: { uid: number; sudo: boolean }): { bin: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'clab-test-all-'))
  made.push(dir)
  const bin = join(dir, 'bin')
  const log = join(dir, 'calls.log')
  spawnSync('mkdir', [bin])
  for (const tool of ['dirname', 'grep', 'tee', 'env', 'cat'])
    symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(bin, tool))
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`)
    chmodSync(join(bin, name), 0o755)
  }
  // An installed Mesa 22, as Debian 12 has: too old for Dawn.
  stub('dpkg-query', "printf 'installed 22.3.6-1+deb12u1'")
  stub('id', `echo ${options.uid}`)
  // apt-get "installs" nothing, so the script goes on to the checks; npm stops it there.
  stub('apt-get', 'exit 0')
  stub('npm', 'exit 3')
  stub('node', 'echo v20')
  stub('chromium-stand-in', 'echo Chromium 1')
  if (options.sudo) stub('sudo', '"$@"')
  return { bin, log }
}

function testAll(bin: string, env: Record<string, string> = {}) {
  return spawnSync('/bin/bash', [join(root, 'scripts/test-all.sh')], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: bin, HOME: tmpdir(), ...env },
  })
}

describe('#20 test:all installs what the tests need', () => {
  it('without root or sudo prints the exact sudo apt-get lines and fails before npm', () => {
    const { bin, log } = fakeMachine({ uid: 1000, sudo: false })
    const result = testAll(bin)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('not root, no sudo')
    expect(result.stderr).toContain('  sudo apt-get update\n')
    expect(result.stderr).toMatch(/ {2}sudo apt-get install -y chromium( dataset-fashion-mnist)?\n/)
    expect(result.stderr).toContain(`  sudo apt-get install -y ${mesaFrom}mesa-vulkan-drivers\n`)
    const calls = existsSync(log) ? readFileSync(log, 'utf8') : ''
    expect(calls).not.toContain('apt-get')
    expect(calls).not.toContain('npm')
  })

  it('through sudo runs apt-get update and the installs, then goes on to the checks', () => {
    const { bin, log } = fakeMachine({ uid: 1000, sudo: true })
    const result = testAll(bin, { CHROMIUM_PATH: '' })
    const calls = readFileSync(log, 'utf8')
    expect(calls).toContain('sudo apt-get update\n')
    expect(calls).toMatch(
      /sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium( dataset-fashion-mnist)?\n/,
    )
    expect(calls).toContain(`apt-get install -y ${mesaFrom}mesa-vulkan-drivers\n`)
    // The stand-in apt-get installed no chromium, so the version line fails: it does not pass silently.
    expect(result.status).not.toBe(0)
  })

  it('with everything present installs nothing and runs the checks (npm stand-in stops it)', () => {
    const { bin, log } = fakeMachine({ uid: 0, sudo: false })
    writeFileSync(
      join(bin, 'dpkg-query'),
      `#!/bin/sh\necho "dpkg-query $*" >> ${log}\nprintf 'installed 25.0.7-2~bpo12+1'\n`,
    )
    const result = testAll(bin, { CHROMIUM_PATH: join(bin, 'chromium-stand-in') })
    const calls = readFileSync(log, 'utf8')
    expect(calls).not.toContain('apt-get')
    expect(result.stdout).toContain('==> node --version')
    expect(calls).toContain('npm --version')
    expect(result.status).toBe(3)
  })
})
