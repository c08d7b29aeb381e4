/**
 * Electron wiring of the typed API (thin on purpose: the decisions live in ./policy.ts, tested under plain
 * Node). One `ipcMain.handle` channel per API method (`api:<method>`), each checking the sender frame;
 * events go to the app's windows in batches on `api:event`.
 */
import { BrowserWindow, ipcMain } from 'electron'
import type { Api } from '../api/handlers'
import { API_EVENT_CHANNEL } from './channels'
import { channelTable, EventBatcher, invokeHandler, isTrustedUrl, type TrustedOrigin } from './policy'

/** Registers the handlers and the event forwarding; returns the function that removes them. */
export function registerApiIpc(api: Api, origins: readonly TrustedOrigin[]): () => void {
  const rows = channelTable()
  for (const { channel, method } of rows) ipcMain.handle(channel, invokeHandler(api, method, origins))

  const batcher = new EventBatcher((events) => {
    for (const window of BrowserWindow.getAllWindows()) {
      const contents = window.webContents
      // Only windows showing the app's own pages receive run data.
      if (contents.isDestroyed() || !isTrustedUrl(contents.getURL(), origins)) continue
      contents.send(API_EVENT_CHANNEL, events)
    }
  })
  const unsubscribe = api.subscribe((event) => batcher.push(event))

  return () => {
    unsubscribe()
    batcher.close()
    for (const { channel } of rows) ipcMain.removeHandler(channel)
  }
}
