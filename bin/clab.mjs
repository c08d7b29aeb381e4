#!/usr/bin/env node
// The `clab` command: runs the TypeScript CLI through tsx, so a fresh clone needs no build step.
// The project's tsconfig is named explicitly so the `@shared/*` alias resolves from any working directory.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const root = new URL('..', import.meta.url)
register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) })
await import(new URL('src-main/cli/main.ts', root).href)
