/**
 * `clab serve` serves out/renderer as built, so the end-to-end tests would silently test yesterday's UI
 * if the build were missing or older than the sources. This builds it (electron-vite, a few seconds)
 * when needed, once across the test workers: a lock folder keeps two workers from writing out/ at once.
 * A build empties out/renderer first, so a stale build is not rebuilt under a lab that another worker is
 * still serving from it (each lab registers itself in out/.e2e-labs); that case only warns.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const RENDERER_INDEX = join(ROOT, 'out', 'renderer', 'index.html')
const SOURCE_DIRS = ['src-renderer', 'src-shared'].map((d) => join(ROOT, d))
const LOCK = join(ROOT, 'out', '.e2e-build.lock')
const LABS = join(ROOT, 'out', '.e2e-labs')
/** A lock older than this belongs to a worker that died mid-build. */
const STALE_LOCK_MS = 5 * 60_000

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path))
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/** Why out/renderer needs a build, or null when it is there and newer than every renderer source. */
export function buildReason(): string | null {
  if (!existsSync(RENDERER_INDEX)) return 'out/renderer/index.html is missing'
  const built = statSync(RENDERER_INDEX).mtimeMs
  const sources = Math.max(...SOURCE_DIRS.map(newestMtime))
  return sources > built ? 'out/renderer is older than src-renderer / src-shared' : null
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function acquireLock(): Promise<() => void> {
  mkdirSync(join(ROOT, 'out'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(LOCK)
      return () => rmSync(LOCK, { recursive: true, force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true })
      } catch {
        // Removed by its owner meanwhile: try again.
      }
      await sleep(250)
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Labs of live processes serving out/renderer now (entries of dead processes are removed). */
function servingLabs(): string[] {
  if (!existsSync(LABS)) return []
  return readdirSync(LABS).filter((name) => {
    if (alive(Number(name.split('-')[0]))) return true
    rmSync(join(LABS, name), { force: true })
    return false
  })
}

function build(reason: string): void {
  console.log(
    `e2e: ${reason}; building the renderer once with \`npx electron-vite build\` (what \`npm run build\` does)…`,
  )
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    },
  )
  if (result.status !== 0 || !existsSync(RENDERER_INDEX)) {
    throw new Error(
      `e2e: the renderer build failed (exit ${result.status}${result.error ? `, ${result.error.message}` : ''}); run \`npm run build\` to see why.\n${result.stdout}\n${result.stderr}`,
    )
  }
}

/**
 * Makes sure out/renderer is built (building it when missing, or when stale and no other lab serves it)
 * and registers a lab as serving it; returns the function that unregisters it. Throws with the build's
 * output if the build fails.
 */
export async function claimRenderer(): Promise<() => void> {
  const release = await acquireLock()
  try {
    const reason = buildReason()
    if (reason !== null) {
      const others = servingLabs()
      if (!existsSync(RENDERER_INDEX) || others.length === 0) build(reason)
      else
        console.warn(
          `e2e: ${reason}, but ${others.length} other lab(s) serve it now, so it is not rebuilt: these tests see the last build (run \`npm run build\`)`,
        )
    }
    mkdirSync(LABS, { recursive: true })
    const entry = join(LABS, `${process.pid}-${randomBytes(4).toString('hex')}`)
    writeFileSync(entry, '')
    return () => rmSync(entry, { force: true })
  } finally {
    release()
  }
}
