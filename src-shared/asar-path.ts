/**
 * In the packaged app, what electron-builder unpacks from the asar archive (asarUnpack in
 * electron-builder.yml) lies beside it, under `app.asar.unpacked`: native code, which cannot be loaded from
 * inside an archive, and scripts that worker threads read with plain fs, which does not look inside one.
 * Both the app (better-sqlite3's Electron build) and the engine (tfjs's threaded wasm) rewrite their paths so.
 */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')
}
