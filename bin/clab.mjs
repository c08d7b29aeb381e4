#!/usr/bin/env node
// The `clab` command. It runs the CLI built once into out/cli (`npm run build`, or `npm install`'s prepare)
// while that build matches the sources, and otherwise the TypeScript sources through tsx, so a fresh clone or
// an edited source needs no build step. CLAB_NO_BUNDLE=1 always runs the sources.
// The project's tsconfig is named explicitly so the `@shared/*` alias resolves from any working directory.
import { fileURLToPath } from 'node:url'
import { freshBundle, ROOT } from './cli-bundle.mjs'

const bundle = process.env.CLAB_NO_BUNDLE ? null : freshBundle()
if (bundle) {
  await import(bundle.href)
} else {
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: fileURLToPath(new URL('tsconfig.json', ROOT)) })
  await import(new URL('src-main/cli/main.ts', ROOT).href)
}
