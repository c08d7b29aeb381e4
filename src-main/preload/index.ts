/**
 * The renderer's only door to the app: `window.api`, one function per API method (generated from the
 * shared method list, each invoking `api:<method>`), plus `onEvent`. Raw ipcRenderer is never exposed.
 *
 * This preload runs sandboxed: it can require only `electron` (and a few polyfilled modules), so it
 * imports nothing but the tiny, type-only-dependent channel list, which electron-vite bundles in.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { ApiEvent } from '@shared/ipc/api'
import { API_EVENT_CHANNEL, API_METHOD_NAMES, apiChannel, type DesktopBridge } from '../ipc/channels'

const methods = Object.fromEntries(
  API_METHOD_NAMES.map((method) => [method, (payload?: unknown) => ipcRenderer.invoke(apiChannel(method), payload)]),
)

function onEvent(listener: (event: ApiEvent) => void): () => void {
  const receive = (_event: IpcRendererEvent, batch: unknown) => {
    if (!Array.isArray(batch)) return
    for (const event of batch as ApiEvent[]) listener(event)
  }
  ipcRenderer.on(API_EVENT_CHANNEL, receive)
  return () => {
    ipcRenderer.removeListener(API_EVENT_CHANNEL, receive)
  }
}

const api = Object.freeze({ ...methods, onEvent }) as DesktopBridge

export type PreloadApi = DesktopBridge

contextBridge.exposeInMainWorld('api', api)
