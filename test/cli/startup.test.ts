/**
 * #19.6 The commands that do not train start without tfjs, from the built CLI when it is fresh and from the
 * sources otherwise; a run's engine process and its worker thread likewise. No timing here (measured by hand, see the report); what is checked is which
 * modules a command resolves, traced by test/helpers/module-trace.mjs.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { clab } from '../helpers/cli'
import { tempFolders } from '../helpers/temp'
import { makeTinyTeacher } from '../trainer-host/helpers'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TRACE_HOOK = fileURLToPath(new URL('../helpers/module-trace.mjs', import.meta.url))
const folders = tempFolders()

/**
 * The module URLs `clab <args>` resolved (with the bundle unless noBundle), in every process and thread it
 * started: the trace hook comes in NODE_OPTIONS, which they inherit.
 */
async function modulesOf(
  args: string[],
  noBundle: boolean,
  env: Record<string, string> = {},
): Promise<{ code: number | null; modules: string[] }> {
  const trace = join(folders.fresh('trace'), 'modules.txt')
  const result = await clab(args, {
    env: {
      ...env,
      NODE_OPTIONS: `--import ${TRACE_HOOK}`,
      CLAB_MODULE_TRACE: trace,
      CLAB_DATA_DIR: folders.fresh('startup-data'),
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

    it("a run's engine process and its target-side worker start from the bundle; CLAB_NO_BUNDLE keeps them on the sources", async () => {
      const teacher = join(folders.fresh('tiny-teacher'), 'teacher.ckpt')
      await makeTinyTeacher(teacher)
      const run = ['distill', '--dataset', 'moons', '--teacher', teacher, '--steps', '3', '--batch', '16']
      const tiny = [...run, '--eval-samples', '64', '--sample-every', '0', '--backend', 'cpu']
      // The worker starts only where it is wanted; CLAB_TARGET_THREAD=1 asks for it on any machine.
      const [bundled, sources] = await Promise.all([
        modulesOf(tiny, false, { CLAB_TARGET_THREAD: '1' }),
        modulesOf(tiny, true, { CLAB_TARGET_THREAD: '1' }),
      ])
      expect(bundled.code).toBe(0)
      expect(bundled.modules.filter((url) => /\/out\/cli\/(engine|target-side-worker)\.mjs$/.test(url))).toEqual([
        expect.stringMatching(/engine\.mjs$/),
        expect.stringMatching(/target-side-worker\.mjs$/),
      ])
      expect(bundled.modules.filter((url) => url.includes('/src-main/') || url.includes('/node_modules/tsx/'))).toEqual(
        [],
      )
      expect(sources.code).toBe(0)
      expect(sources.modules).toContain(`file://${join(ROOT, 'src-main/trainer-host/main.ts')}`)
      expect(sources.modules).toContain(`file://${join(ROOT, 'src-main/trainer-host/target-side-worker.ts')}`)
      expect(sources.modules.filter((url) => url.includes('/out/cli/'))).toEqual([])
    })

    it('#19 CLAB_NO_BUNDLE runs the sources even when the bundle is fresh', async () => {
      const { modules } = await modulesOf(['--help'], true)
      expect(modules.some((url) => url.includes('/out/cli/'))).toBe(false)
    })
  })
})
