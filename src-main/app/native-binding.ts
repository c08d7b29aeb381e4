/**
 * Where the desktop app finds its Electron-ABI build of better-sqlite3 (no electron import; tested under
 * plain Node).
 *
 * node_modules/better-sqlite3 stays a Node-ABI build, so `npm test` and the CLI keep working under plain
 * Node. The app loads a second build, made for Electron's ABI by `npm run rebuild:electron`
 * (scripts/rebuild-electron-native.mjs, needs network), at
 *
 *     build/electron-native/better_sqlite3.node        (relative to the app folder, app.getAppPath())
 *
 * and passes it to better-sqlite3 through the `nativeBinding` option. In a packaged app the file is
 * unpacked from the asar archive (electron-builder.yml asarUnpack), so the path is rewritten to
 * `app.asar.unpacked`.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { unpackedPath } from '@shared/asar-path'

export const ELECTRON_NATIVE_DIR = join('build', 'electron-native')
export const ELECTRON_SQLITE_BINDING = join(ELECTRON_NATIVE_DIR, 'better_sqlite3.node')

/** The Electron-ABI binding if it exists, else undefined (better-sqlite3 then loads its own build). */
export function electronSqliteBinding(
  appPath: string,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  const candidate = unpackedPath(join(appPath, ELECTRON_SQLITE_BINDING))
  return exists(candidate) ? candidate : undefined
}

/** The message shown when the database cannot be opened in Electron (usually an ABI mismatch). */
export function storeOpenFailureMessage(error: unknown, binding: string | undefined, dataDir: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const abi =
    /NODE_MODULE_VERSION|was compiled against a different Node\.js version|invalid ELF header|not a valid Win32/i.test(
      message,
    )
  return [
    `Consistency Lab could not open its run history in ${dataDir}:`,
    message,
    '',
    abi || binding === undefined
      ? `better-sqlite3 needs a build for Electron's ABI. Run \`npm run rebuild:electron\` (needs network); it writes ${ELECTRON_SQLITE_BINDING}.` +
        (binding === undefined ? ' No such file was found, so the Node build in node_modules was tried.' : '')
      : 'Another copy of the app may be using the database, or the disk may be full.',
    'Without Electron, `npm run clab -- serve` runs the same app in a browser.',
  ].join('\n')
}
