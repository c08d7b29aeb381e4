// `npm start`: builds the app with electron-vite and launches it in Electron. The Electron binary is
// fetched on first run (Electron >= 42), not at install; it is looked for explicitly before launching,
// so a machine without it (offline, CI) gets a clear message instead of a failed spawn.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tryDownload } from './electron-download.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'

/** Why the Electron binary cannot be used, or null when it is there. */
function missingElectron() {
  const pkg = join(root, 'node_modules', 'electron')
  if (!existsSync(join(pkg, 'package.json'))) return 'the electron package is not installed (run `npm install`)'
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return null
  const pathFile = join(pkg, 'path.txt')
  if (!existsSync(pathFile)) return `the Electron binary has not been downloaded yet (${pathFile} is missing)`
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return `the Electron binary is incomplete (${binary} is missing)`
  return null
}

const build = spawnSync(npx, ['electron-vite', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' })
if (build.status !== 0) process.exit(build.status ?? 1)

let missing = missingElectron()
if (missing && !process.env.CI) {
  // Electron >= 42 downloads its binary on demand; try once (needs network to the Electron release host).
  console.log(`${missing}; trying to download it (npx install-electron)…`)
  const failed = tryDownload(spawnSync, npx, ['install-electron', '--no'], {
    cwd: root,
    shell: process.platform === 'win32',
  })
  if (failed) console.log(`The download did not work: ${failed}`)
  missing = missingElectron()
}
if (missing) {
  process.stderr.write(
    `\nConsistency Lab cannot start the desktop app: ${missing}.\n` +
      'Electron fetches its binary on first run from the Electron release host, which needs network access.\n' +
      'Everything else works without it:\n' +
      '  npm run clab -- serve      the same app in a browser (prints a URL with an access token)\n' +
      '  npm run clab -- --help     the command line (teacher, distill, runs)\n',
  )
  process.exit(1)
}

if (!existsSync(join(root, 'build', 'electron-native', 'better_sqlite3.node'))) {
  process.stderr.write(
    'note: build/electron-native/better_sqlite3.node is missing; the app will try the Node build of better-sqlite3,\n' +
      'which fails in Electron with a NODE_MODULE_VERSION error. Run `npm run rebuild:electron` (needs network).\n',
  )
}

const run = spawnSync(npx, ['electron-vite', 'preview'], { stdio: 'inherit', shell: process.platform === 'win32' })
process.exit(run.status ?? 1)
