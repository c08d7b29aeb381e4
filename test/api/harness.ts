/**
 * One backend (a temp data folder, a real RunService with engine child processes, the API handlers) and
 * the two transports over it: in-process, and the WebSocket of `clab serve` on 127.0.0.1.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { ApiClient, ApiEvent } from '@shared/ipc/api'
import { apiSocketUrl, connectWsClient, type WebSocketConstructor, type WsClient } from '@shared/ipc/ws-client'
import { createApi, type Api } from '../../src-main/api/handlers'
import { createInProcessClient } from '../../src-main/api/in-process'
import { startServer, type RunningServer } from '../../src-main/serve/server'
import { RunService } from '../../src-main/services/run-service'
import { openLabStore, type LabStore } from '../../src-main/store'
import { makeTinyTeacher, tempDir } from '../trainer-host/helpers'

export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor

export interface Backend {
  root: string
  dataDir: string
  teacherPath: string
  store: LabStore
  service: RunService
  api: Api
  server: RunningServer
  clients: { 'in-process': ApiClient; websocket: WsClient }
  close(): Promise<void>
}

export async function startBackend(name: string): Promise<Backend> {
  const tmp = tempDir(name)
  const dataDir = join(tmp.dir, 'data')
  // Inside the data folder: over the API a teacher path may point nowhere else.
  mkdirSync(dataDir, { recursive: true })
  const teacherPath = join(dataDir, 'tiny-teacher.ckpt')
  await makeTinyTeacher(teacherPath)
  const store = openLabStore({ dataDir })
  const service = new RunService({ store })
  const api = createApi(service, store)
  const server = await startServer({ api, host: '127.0.0.1', port: 0 })
  const ws = await connectWsClient(apiSocketUrl(server.url), { WebSocket: NodeWebSocket })
  return {
    root: tmp.dir,
    dataDir,
    teacherPath,
    store,
    service,
    api,
    server,
    clients: { 'in-process': createInProcessClient(api), websocket: ws },
    async close() {
      ws.close()
      await server.close()
      await service.close()
      store.close()
      tmp.remove()
    },
  }
}

/** Collects a client's events; `waitFor` resolves with the first (past or future) matching one. */
export class Events {
  readonly seen: ApiEvent[] = []
  private waiters: Array<{ test: (e: ApiEvent) => boolean; resolve: (e: ApiEvent) => void }> = []
  readonly off: () => void

  constructor(client: ApiClient) {
    this.off = client.subscribe((event) => {
      this.seen.push(event)
      for (const w of [...this.waiters]) {
        if (w.test(event)) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve(event)
        }
      }
    })
  }

  waitFor(test: (e: ApiEvent) => boolean, timeoutMs = 60_000): Promise<ApiEvent> {
    const past = this.seen.find(test)
    if (past) return Promise.resolve(past)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event within ${timeoutMs} ms (saw ${this.seen.length})`)),
        timeoutMs,
      )
      this.waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) })
    })
  }
}
