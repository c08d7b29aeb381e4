/**
 * #19.6 The commands that do not train start without tfjs, from the built CLI when it is fresh and from the
 * sources otherwise. No timing here (measured by hand, see the report); what is checked is which
 * modules a command resolves, traced by test/helpers/module-trace.mjs.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clab, tempFolders } from '../helpers/cli'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TRACE_HOOK = fileURLToPath(new URL('../helpers/module-trace.mjs', import.meta.url))
const folders = tempFolders()
afterAll(() => folders.removeAll())

/** The module URLs `clab <args>` resolved (with the bundle unless noBundle). */
async function modulesOf(args: string[], noBundle: boolean): Promise<{ code: number | null; modules: string[] }> {
  const trace = join(folders.fresh('clab-trace-'), 'modules.txt')
  const result = await clab(args, {
    env: {
      NODE_OPTIONS: `--import ${TRACE_HOOK}`,
      CLAB_MODULE_TRACE: trace,
      ...(noBundle ? { CLAB_NO_BUNDLE: '1' } : {}),
    },
  })
  let text = ''
  try {
    text = readFileSync(trace, 'utf8')
  } catch {
    // nothing resolved: the assertions below say what is missing
  }
  return { code: result.code, modules: text.split('\n').filter(Boolean) }
}

const COMMANDS = [['--help'], ['runs', 'list'], ['teachers', 'list'], ['data', 'list'], ['distill', '--help']].map(
  (args) => [args.join(' '), args] as const,
)

describe('#19.6 clab start-up: tfjs only for commands that train', () => {
  it.each(COMMANDS)('#19 `clab %s` from the sources resolves no tfjs module', async (_name, args) => {
    const { code, modules } = await modulesOf([...args], true)
    expect(code).toBe(0)
    // The trace works: the CLI's own sources were resolved through tsx.
    expect(modules.some((url) => url.endsWith('/src-main/cli/main.ts'))).toBe(true)
    expect(modules.filter((url) => url.includes('@tensorflow'))).toEqual([])
  })

  describe('#19 the built CLI (scripts/build-cli.mjs)', () => {
    beforeAll(() => {
      execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' })
    })

    it.each(COMMANDS)('#19 `clab %s` runs the bundle, without tsx or tfjs', async (_name, args) => {
      const { code, modules } = await modulesOf([...args], false)
      expect(code).toBe(0)
      expect(modules.some((url) => url.endsWith('/out/cli/main.mjs'))).toBe(true)
      expect(modules.filter((url) => url.includes('/src-main/') || url.includes('/node_modules/tsx/'))).toEqual([])
      expect(modules.filter((url) => url.includes('@tensorflow'))).toEqual([])
    })

    it('#19 the bundle finds the files next to the sources (built-in teachers in resources/)', async () => {
      const result = await clab(['teachers', 'list', '--json'])
      expect(result.code).toBe(0)
      const { teachers } = JSON.parse(result.stdout) as { teachers: { id: string; path?: string }[] }
      const moons = teachers.find((t) => t.id === 'builtin-moons')
      expect(moons?.path).toBe(join(ROOT, 'resources/teachers/moons.ckpt'))
    })

    it('#19 a bundle whose sources changed is not used: clab runs the sources (then the bundle is rebuilt)', async () => {
      const manifest = join(ROOT, 'out/cli/manifest.json')
      const built = JSON.parse(readFileSync(manifest, 'utf8')) as { sources: Record<string, { size: number }> }
      const [first] = Object.keys(built.sources)
      try {
        // As if that source had been edited since the build.
        ;(built.sources[first as string] as { size: number }).size += 1
        writeFileSync(manifest, JSON.stringify(built))
        const { code, modules } = await modulesOf(['--help'], false)
        expect(code).toBe(0)
        expect(modules.some((url) => url.endsWith('/src-main/cli/main.ts'))).toBe(true)
        expect(modules.some((url) => url.includes('/out/cli/'))).toBe(false)
      } finally {
        execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' })
      }
    })

    it('#19 CLAB_NO_BUNDLE runs the sources even when the bundle is fresh', async () => {
      const { modules } = await modulesOf(['--help'], true)
      expect(modules.some((url) => url.includes('/out/cli/'))).toBe(false)
    })
  })
})
