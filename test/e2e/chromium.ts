/**
 * The browser the end-to-end tests drive: Debian's `chromium` package (playwright-core downloads no
 * browser). A missing browser fails the tests with the fix rather than skipping them, so a CI machine
 * without it cannot pass by testing nothing.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** `CHROMIUM_PATH` if set (and executable), else the first `chromium` / `chromium-browser` on PATH or in `extraDirs`. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, extraDirs: string[] = ['/usr/bin']): string | null {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs]
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of dirs) {
      if (executable(join(dir, name))) return join(dir, name)
    }
  }
  return null
}

export function missingChromiumMessage(env: NodeJS.ProcessEnv = process.env): string {
  const where = env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file`
    : 'no chromium on PATH or in /usr/bin'
  return (
    `e2e: Chromium not found (${where}). The end-to-end tests drive Debian's chromium through playwright-core: ` +
    'install it with `apt-get install -y chromium` (.ci/run does this on CI), or set CHROMIUM_PATH to a Chromium binary.'
  )
}

export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const path = findChromium(env)
  if (!path) throw new Error(missingChromiumMessage(env))
  return path
}
