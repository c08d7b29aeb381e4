// `npm start`: builds the app with electron-vite and launches it in Electron. The Electron binary is
// fetched on first run (Electron >= 42); where it cannot be fetched (offline machines, CI) this says what
// is missing and points to the command line, which needs no Electron.
import { spawnSync } from 'node:child_process'

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const build = spawnSync(npx, ['electron-vite', 'build'], { stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)
const run = spawnSync(npx, ['electron-vite', 'preview'], { stdio: 'inherit' })
if (run.status !== 0) {
  process.stderr.write(
    '\nConsistency Lab could not start the desktop app: the Electron binary is missing and could not be\n' +
      'downloaded (it is fetched on first run and needs network access to the Electron release host).\n' +
      'Everything else works without it: `npm run clab -- --help` (teacher, distill) runs the engine from\n' +
      'the command line.\n',
  )
  process.exit(run.status ?? 1)
}
