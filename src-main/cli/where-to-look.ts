/**
 * The last lines of a finished `clab distill`: where the run's pictures are and how to see it in the UI.
 * `clab serve` serves the built renderer (out/renderer), so the build comes first until there is one, and it
 * must read the same data folder as the run.
 */
import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { DEFAULT_RENDERER_DIR } from '../serve/server'

export function whereToLook(pictures: string[], dataDir: string | undefined): string[] {
  const [first, ...rest] = pictures
  const built = existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))
  const serve = `npm run clab -- serve --open${dataDir ? ` --data-dir ${JSON.stringify(dataDir)}` : ''}`
  return [
    ...(first ? [`pictures: ${first}`] : []),
    ...(rest.length
      ? [`  and per set, in ${dirname(rest[0] as string)}: ${rest.map((p) => basename(p)).join(', ')}`]
      : []),
    `see it in the app: ${built ? serve : `npm run build && ${serve}`}`,
  ]
}
