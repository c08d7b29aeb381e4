// `npm run rebuild:electron`: an Electron-ABI build of better-sqlite3 for the desktop app, written to
// build/electron-native/better_sqlite3.node (where src-main/app/native-binding.ts looks for it), WITHOUT
// touching node_modules/better-sqlite3, whose Node-ABI build `npm test` and the CLI need.
//
// Needs network: prebuild-install downloads a prebuilt binary for the Electron version (upstream publishes
// them for Electron 29-42 at better-sqlite3 12.11.1); if there is none, node-gyp compiles against
// Electron's headers (downloaded from electronjs.org; Electron 43+ needs GCC >= 13).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'))
const outDir = join(root, 'build', 'electron-native')
const work = mkdtempSync(join(tmpdir(), 'clab-electron-native-'))
const copy = join(work, 'better-sqlite3')

const run = (command, args) =>
  spawnSync(command, args, { cwd: copy, stdio: 'inherit', shell: process.platform === 'win32' })

try {
  cpSync(sqliteDir, copy, { recursive: true, filter: (src) => !src.includes(`${join('build', 'Release')}`) })
  console.log(`better-sqlite3 for Electron ${electronVersion} (${process.platform}-${process.arch})`)
  let ok =
    run(process.execPath, [
      require.resolve('prebuild-install/bin.js'),
      '--runtime',
      'electron',
      '--target',
      electronVersion,
      '--arch',
      process.arch,
    ]).status === 0
  if (!ok) {
    console.log('no prebuilt binary; compiling against the Electron headers')
    ok =
      run('npx', [
        '--yes',
        'node-gyp',
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        `--arch=${process.arch}`,
        '--dist-url=https://electronjs.org/headers',
        '--runtime=electron',
      ]).status === 0
  }
  const built = join(copy, 'build', 'Release', 'better_sqlite3.node')
  if (!ok || !existsSync(built)) {
    console.error(
      'could not make an Electron build of better-sqlite3 (network or compiler missing); see the messages above',
    )
    process.exit(1)
  }
  mkdirSync(outDir, { recursive: true })
  cpSync(built, join(outDir, 'better_sqlite3.node'))
  console.log(`wrote ${join(outDir, 'better_sqlite3.node')}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
