// Entry of the forked engine process (src-main/services/engine-host.ts): runs main.ts through tsx, like
// bin/clab.mjs does for the CLI. The project's tsconfig is named explicitly so the `@shared/*` alias
// resolves whatever the working directory (`node --import tsx` looks for tsconfig.json, and even for tsx
// itself, from the cwd).
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const root = new URL('../../', import.meta.url)
register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) })
await import(new URL('main.ts', import.meta.url).href)
