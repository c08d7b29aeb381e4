/**
 * Electron entry (ARCHITECTURE.md "Processes"): one sandboxed window showing the built renderer over the
 * `app://consistency-lab/` protocol; the RunService and the run history live here, the engine runs in a
 * utilityProcess (./utility-engine-host.ts); the typed API reaches the window through src-main/ipc and the
 * preload. Security decisions are pure functions in src-main/ipc/policy.ts and ./protocol-files.ts.
 *
 * Start-up: single-instance lock → privileged `app:` scheme (before ready) → ready: permissions denied,
 * protocol handler, store (Electron-ABI better-sqlite3, ./native-binding.ts), RunService.recover(), IPC,
 * window. Quit: `before-quit` is held once until the service has stopped the engine (a running run is
 * checkpointed and marked interrupted) and the store is closed.
 */
import { join } from 'node:path'
import { app, BrowserWindow, dialog, protocol, session, shell, utilityProcess, type WebContents } from 'electron'
import { createApi } from '../api/handlers'
import { registerApiIpc } from '../ipc/register'
import { APP_ENTRY_URL, APP_SCHEME, isSafeExternalUrl, isTrustedUrl, trustedOrigins } from '../ipc/policy'
import { RunService } from '../services/run-service'
import { openLabStore, type LabStore } from '../store'
import { electronSqliteBinding, storeOpenFailureMessage } from './native-binding'
import { serveAppRequest } from './protocol-files'
import { UtilityEngineHost } from './utility-engine-host'

const RENDERER_ROOT = join(import.meta.dirname, '../renderer')
const PRELOAD = join(import.meta.dirname, '../preload/index.cjs')
/** The bundled engine process entry (electron.vite.config.ts, main entry `trainer-host`). */
const TRAINER_HOST_ENTRY = join(import.meta.dirname, 'trainer-host.js')

/** `electron-vite dev` serves the renderer from a dev server; never trusted in a packaged app. */
const DEV_SERVER_URL = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
const ORIGINS = trustedOrigins(DEV_SERVER_URL)

// Must happen before `ready`: a standard, secure scheme gets an origin, `'self'` in the CSP, and fetch.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
])
// Every renderer sandboxed, whatever a future BrowserWindow forgets to say.
app.enableSandbox()

let mainWindow: BrowserWindow | null = null
let service: RunService | null = null
let store: LabStore | null = null
let disposeIpc: (() => void) | null = null
let shutdown: 'running' | 'stopping' | 'stopped' = 'running'

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 840,
    show: false,
    title: 'Consistency Lab',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click would otherwise try to open a link in a new window (denied anyway, see lockDown).
      disableBlinkFeatures: 'Auxclick',
    },
  })
  window.once('ready-to-show', () => window.show())
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null
  })
  void window.loadURL(DEV_SERVER_URL ?? APP_ENTRY_URL)
  return window
}

/** Navigation, new windows and webviews, for every WebContents the app ever creates. */
function lockDown(contents: WebContents): void {
  // Security checklist 13: no navigation away from the app's own pages.
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url, ORIGINS)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedUrl(url, ORIGINS)) event.preventDefault()
  })
  // Security checklist 14/15: no new windows; a plain https link opens in the system browser.
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

function denyPermissions(): void {
  // Security checklist 5: the app needs no camera, notifications, geolocation, …
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
}

function openStore(): LabStore {
  const dataDir = app.getPath('userData')
  const nativeBinding = electronSqliteBinding(app.getAppPath())
  try {
    return openLabStore({ dataDir, ...(nativeBinding ? { nativeBinding } : {}) })
  } catch (error) {
    dialog.showErrorBox('Consistency Lab cannot start', storeOpenFailureMessage(error, nativeBinding, dataDir))
    throw error
  }
}

async function start(): Promise<void> {
  denyPermissions()
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(RENDERER_ROOT, request))

  store = openStore()
  service = new RunService({
    store,
    createHost: () =>
      new UtilityEngineHost({
        entry: TRAINER_HOST_ENTRY,
        fork: (modulePath, options) => utilityProcess.fork(modulePath, [], options),
      }),
  })
  const interrupted = service.recover()
  if (interrupted.length > 0)
    console.log(`marked ${interrupted.length} run(s) left running by a previous session as interrupted`)
  disposeIpc = registerApiIpc(createApi(service, store, store.paths.root), ORIGINS)
  mainWindow = createWindow()
}

async function stop(): Promise<void> {
  try {
    await service?.close()
  } catch (error) {
    console.error('stopping the run service failed:', error)
  }
  disposeIpc?.()
  try {
    store?.close()
  } catch (error) {
    console.error('closing the run history failed:', error)
  }
  service = null
  store = null
  disposeIpc = null
}

if (!app.requestSingleInstanceLock()) {
  // Another copy already runs (and gets a 'second-instance' event): leave.
  app.quit()
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })

  app.on('web-contents-created', (_event, contents) => lockDown(contents))

  app.on('before-quit', (event) => {
    if (shutdown === 'stopped') return
    event.preventDefault()
    if (shutdown === 'stopping') return
    shutdown = 'stopping'
    void stop().finally(() => {
      shutdown = 'stopped'
      app.quit()
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  void app
    .whenReady()
    .then(start)
    .then(() => {
      // macOS keeps the app alive without windows; re-open one from the dock.
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0 && service) mainWindow = createWindow()
      })
    })
    .catch((error: unknown) => {
      console.error('Consistency Lab failed to start:', error)
      shutdown = 'stopped'
      app.exit(1)
    })
}
