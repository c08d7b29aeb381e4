/**
 * The renderer's only door to the app: `window.api`. Empty for now; the typed API of src-shared/ipc
 * (one function per call) is exposed here in a later release. Never expose ipcRenderer itself.
 */
import { contextBridge } from 'electron'

const api = Object.freeze({})

export type PreloadApi = typeof api

contextBridge.exposeInMainWorld('api', api)
