/**
 * The dependency rule of ARCHITECTURE.md is enforced by eslint.config.js. These tests lint small in-memory
 * samples through ESLint's Node API, one per rule, so a config change that silently disables a check
 * fails here; the "allowed" samples keep the rules from growing too broad. (The real tree is checked by
 * `npm run lint`.)
 */
import { resolve } from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '../..')
const LAYER_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax'])

let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT })
})

/** Layer-rule messages for `code` as if it were the file `file` (relative to the repository root). */
async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) })
  if (!result) throw new Error(`no lint result for ${file}`)
  const fatal = result.messages.filter((m) => m.fatal)
  if (fatal.length > 0) throw new Error(`${file} did not parse: ${fatal.map((m) => m.message).join('; ')}`)
  return result.messages.filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId)).map((m) => m.message)
}

const importOf = (source: string) => `import x from '${source}'\nexport { x }\n`

interface Case {
  file: string
  source: string
}

const forbidden: Case[] = [
  // src-shared imports nothing outside itself.
  { file: 'src-shared/cd/sample.ts', source: 'node:fs' },
  { file: 'src-shared/cd/sample.ts', source: 'fs' },
  { file: 'src-shared/cd/sample.ts', source: 'node:path' },
  { file: 'src-shared/cd/sample.ts', source: 'electron' },
  { file: 'src-shared/cd/sample.ts', source: '@tensorflow/tfjs' },
  { file: 'src-shared/cd/sample.ts', source: 'better-sqlite3' },
  { file: 'src-shared/cd/sample.ts', source: 'svelte' },
  { file: 'src-shared/cd/sample.ts', source: 'chart.js' },
  { file: 'src-shared/cd/sample.ts', source: '../../src-main/engine/tf' },
  { file: 'src-shared/sample.ts', source: '../src-renderer/main' },
  { file: 'src-shared/cd/sample.ts', source: './../../test/x' },
  // The engine: @shared and tfjs only.
  { file: 'src-main/engine/sample.ts', source: 'electron' },
  { file: 'src-main/engine/sample.ts', source: 'better-sqlite3' },
  { file: 'src-main/engine/sample.ts', source: 'node:fs' },
  { file: 'src-main/engine/sample.ts', source: 'node:fs/promises' },
  { file: 'src-main/engine/sample.ts', source: 'node:child_process' },
  { file: 'src-main/engine/sample.ts', source: 'child_process' },
  { file: 'src-main/engine/sample.ts', source: '../store/db' },
  { file: 'src-main/engine/nested/sample.ts', source: '../../files/paths' },
  // The store: no electron, no tfjs.
  { file: 'src-main/store/sample.ts', source: 'electron' },
  { file: 'src-main/store/sample.ts', source: '@tensorflow/tfjs-node' },
  { file: 'src-main/store/sample.ts', source: '../engine/tf' },
  // Electron only in app, ipc and preload.
  { file: 'src-main/services/sample.ts', source: 'electron' },
  { file: 'src-main/cli/sample.ts', source: 'electron' },
  { file: 'src-main/trainer-host/sample.ts', source: 'electron/main' },
  { file: 'test/engine/sample.test.ts', source: 'electron' },
  { file: 'scripts/sample.ts', source: 'electron' },
  { file: 'bench/sample.ts', source: 'electron' },
  // The renderer: @shared, svelte and chart.js only.
  { file: 'src-renderer/sample.ts', source: 'node:fs' },
  { file: 'src-renderer/sample.ts', source: 'electron' },
  { file: 'src-renderer/sample.ts', source: '@tensorflow/tfjs' },
  { file: 'src-renderer/sample.ts', source: 'better-sqlite3' },
  { file: 'src-renderer/lib/sample.ts', source: '../../src-main/services/runs' },
  // A sandboxed preload has no Node modules.
  { file: 'src-main/preload/sample.ts', source: 'node:fs' },
  // Dataset file readers: node built-ins, zod and @shared only.
  { file: 'src-main/data/sample.ts', source: 'better-sqlite3' },
  { file: 'src-main/data/sample.ts', source: '@tensorflow/tfjs' },
  { file: 'src-main/data/sample.ts', source: '../store' },
  { file: 'src-main/data/sample.ts', source: 'electron' },
]

const allowed: Case[] = [
  { file: 'src-shared/cd/sample.ts', source: '../rng' },
  { file: 'src-shared/cd/sample.ts', source: './schedule' },
  { file: 'src-shared/cd/sample.ts', source: '@shared/rng' },
  { file: 'src-shared/config/sample.ts', source: 'zod' },
  { file: 'src-main/engine/sample.ts', source: '@tensorflow/tfjs' },
  { file: 'src-main/engine/sample.ts', source: '@tensorflow/tfjs-backend-wasm' },
  { file: 'src-main/engine/sample.ts', source: '@shared/cd/schedule' },
  { file: 'src-main/engine/sample.ts', source: '../../src-shared/rng' },
  { file: 'src-main/engine/sample.ts', source: './tf' },
  { file: 'src-main/engine/sample.ts', source: 'node:util' },
  { file: 'src-main/engine/sample.ts', source: 'ml-matrix' },
  { file: 'src-main/engine/nested/sample.ts', source: '../tf' },
  { file: 'src-main/store/sample.ts', source: 'better-sqlite3' },
  { file: 'src-main/store/sample.ts', source: 'node:fs' },
  { file: 'src-main/store/sample.ts', source: '@shared/config' },
  { file: 'src-main/app/sample.ts', source: 'electron' },
  { file: 'src-main/ipc/sample.ts', source: 'electron' },
  { file: 'src-main/preload/sample.ts', source: 'electron' },
  { file: 'src-main/services/sample.ts', source: 'node:fs' },
  { file: 'src-main/data/sample.ts', source: 'node:zlib' },
  { file: 'src-main/data/sample.ts', source: '@shared/data/images' },
  { file: 'src-main/data/sample.ts', source: './idx' },
  { file: 'src-renderer/sample.ts', source: 'svelte' },
  { file: 'src-renderer/sample.ts', source: 'svelte/store' },
  { file: 'src-renderer/sample.ts', source: 'chart.js/auto' },
  { file: 'src-renderer/sample.ts', source: '@shared/data/datasets2d' },
  { file: 'src-renderer/sample.ts', source: '../src-shared/rng' },
  { file: 'src-renderer/lib/sample.ts', source: '../App.svelte' },
]

describe('layer rules (no-restricted-imports per folder)', () => {
  it.each(forbidden)('$file may not import $source', async ({ file, source }) => {
    const problems = await layerProblems(file, importOf(source))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(`'${source}'`)
  })

  it.each(allowed)('$file may import $source', async ({ file, source }) => {
    expect(await layerProblems(file, importOf(source))).toEqual([])
  })

  it('checks re-exports and type-only imports too', async () => {
    expect(await layerProblems('src-shared/sample.ts', "export * from 'node:os'\n")).toHaveLength(1)
    expect(
      await layerProblems('src-main/engine/sample.ts', "import type { App } from 'electron'\nexport type { App }\n"),
    ).toHaveLength(1)
  })

  it('checks dynamic import() and require() with the same bans', async () => {
    const dynamic = "export const load = () => import('electron')\n"
    expect(await layerProblems('src-main/engine/sample.ts', dynamic)).toHaveLength(1)
    expect(await layerProblems('src-main/services/sample.ts', dynamic)).toHaveLength(1)
    expect(await layerProblems('src-main/app/sample.ts', dynamic)).toEqual([])
    const optionalBackend = "export const load = () => import('@tensorflow/tfjs-node-gpu')\n"
    expect(await layerProblems('src-main/engine/sample.ts', optionalBackend)).toEqual([])
    const required = "export const fs = require('node:fs')\n"
    expect(await layerProblems('src-shared/sample.ts', required)).toHaveLength(1)
  })

  it('checks the script block of Svelte components', async () => {
    const component = (source: string) =>
      `<script lang="ts">\n  import x from '${source}'\n  const n: number = 1\n</script>\n\n<p>{n} {x}</p>\n`
    const bad = await layerProblems('src-renderer/components/Sample.svelte', component('node:fs'))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toContain("'node:fs'")
    expect(await layerProblems('src-renderer/components/Sample.svelte', component('chart.js/auto'))).toEqual([])
  })
})
