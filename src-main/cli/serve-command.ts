/**
 * `clab serve`: the built renderer and the API over a WebSocket, for a browser on this machine (or, with
 * --allow-remote, another one). Prints the URL with its token; Ctrl-C (or SIGTERM) checkpoints running runs,
 * marks them interrupted and exits.
 */
import { spawn } from 'node:child_process'
import { createApi } from '../api/handlers'
import { DEFAULT_PORT, ServeError, startServer } from '../serve/server'
import { EXIT_OK, UsageError } from './args'
import { openHistory } from './history'

export interface ServeCommandOptions {
  port?: number
  host?: string
  open?: boolean
  allowRemote?: boolean
  dataDir?: string
  /** Tests: where the built renderer is (default out/renderer). */
  rendererDir?: string
}

export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const port = options.port ?? DEFAULT_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port: expected an integer from 0 to 65535, got ${port}`)
  const host = options.host ?? '127.0.0.1'
  const { store, service } = openHistory({ dataDir: options.dataDir })
  const api = createApi(service, store)
  let server
  try {
    server = await startServer({
      api,
      host,
      port,
      allowRemote: options.allowRemote === true,
      rendererDir: options.rendererDir,
    })
  } catch (error) {
    await service.close()
    store.close()
    if (error instanceof ServeError) throw new UsageError(error.message)
    throw error
  }
  if (server.warning) process.stderr.write(`clab: ${server.warning}\n`)
  if (!server.rendererBuilt)
    process.stderr.write(
      'clab: the UI is not built (out/renderer is missing): run `npm run build`; the API works meanwhile\n',
    )
  process.stdout.write(`Consistency Lab is serving ${store.paths.root}\n  ${server.url}\n(Ctrl-C to stop)\n`)
  // The browser gets a one-time launch link, not the token: a command line is readable by every user (`ps`).
  if (options.open) openBrowser(server.launchUrl(), server.url)

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop)
      process.removeListener('SIGTERM', stop)
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  process.stdout.write('stopping: running runs are checkpointed and marked interrupted\n')
  await server.close()
  await service.close()
  store.close()
  return EXIT_OK
}

/** Opens `url` in the user's browser; on failure tells them to open `fallback` (the printed URL) instead. */
function openBrowser(url: string, fallback: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true })
    child.on('error', () => process.stderr.write(`clab: could not open a browser; open ${fallback} yourself\n`))
    child.unref()
  } catch {
    process.stderr.write(`clab: could not open a browser; open ${fallback} yourself\n`)
  }
}
