// Entry of the target-side worker thread when the engine runs from sources (tsx), as bootstrap.mjs is for
// the engine process: registers tsx with the project's tsconfig, then imports the TypeScript worker.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const root = new URL('../../', import.meta.url)
register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) })
await import(new URL('target-side-worker.ts', import.meta.url).href)
