/**
 * The preload, bundled the way electron-vite bundles it (one CJS file, only `electron` left external),
 * then run in a vm against a fake `electron`: what it exposes as `window.api` is exactly one function per
 * API method plus onEvent, each call goes to `api:<method>`, and the bundle requires nothing but electron
 * (a sandboxed preload cannot require anything else).
 */
import { fileURLToPath } from 'node:url'
import { runInNewContext } from 'node:vm'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { API_METHODS } from '@shared/ipc/api'
import { API_EVENT_CHANNEL } from '../../src-main/ipc/channels'

const root = fileURLToPath(new URL('../../', import.meta.url))
let code = ''

beforeAll(async () => {
  const result = await build({
    entryPoints: [`${root}src-main/preload/index.ts`],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    external: ['electron'],
    tsconfig: `${root}tsconfig.json`,
    logLevel: 'silent',
  })
  code = result.outputFiles[0]!.text
})

function loadPreload() {
  const exposed = new Map<string, unknown>()
  const invoked: Array<{ channel: string; payload: unknown }> = []
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>()
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    ipcRenderer: {
      invoke: (channel: string, payload: unknown) => {
        invoked.push({ channel, payload })
        return Promise.resolve({ ok: true, value: channel })
      },
      on: (channel: string, listener: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set())
        listeners.get(channel)!.add(listener)
      },
      removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
        listeners.get(channel)?.delete(listener),
    },
  }
  const required: string[] = []
  const module = { exports: {} }
  runInNewContext(code, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name)
      if (name === 'electron') return electron
      throw new Error(`a sandboxed preload cannot require ${name}`)
    },
  })
  return { exposed, invoked, listeners, required }
}

describe('preload', () => {
  it('requires only electron', () => {
    const { required } = loadPreload()
    expect(new Set(required)).toEqual(new Set(['electron']))
    expect(code).not.toMatch(/from\s+['"]zod['"]|require\(["']zod/)
  })

  it('exposes window.api only: one function per API method plus onEvent, never ipcRenderer', () => {
    const { exposed } = loadPreload()
    expect([...exposed.keys()]).toEqual(['api'])
    const api = exposed.get('api') as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'onEvent'].sort())
    for (const key of Object.keys(api)) expect(typeof api[key], key).toBe('function')
    expect(Object.isFrozen(api)).toBe(true)
    expect(Object.values(api)).not.toContain(undefined)
  })

  it('each method invokes api:<method> with the payload', async () => {
    const { exposed, invoked } = loadPreload()
    const api = exposed.get('api') as Record<string, (payload?: unknown) => Promise<unknown>>
    for (const method of API_METHODS) await api[method]!({ probe: method })
    expect(invoked).toEqual(API_METHODS.map((m) => ({ channel: `api:${m}`, payload: { probe: m } })))
  })

  it('onEvent delivers each event of a batch and unsubscribes', () => {
    const { exposed, listeners } = loadPreload()
    const api = exposed.get('api') as { onEvent: (l: (e: unknown) => void) => () => void }
    const seen: unknown[] = []
    const off = api.onEvent((e) => seen.push(e))
    const registered = [...(listeners.get(API_EVENT_CHANNEL) ?? [])]
    expect(registered).toHaveLength(1)
    registered[0]!({}, [
      { type: 'log', runId: 'a', line: '1' },
      { type: 'log', runId: 'a', line: '2' },
    ])
    registered[0]!({}, 'not a batch')
    expect(seen).toHaveLength(2)
    off()
    expect(listeners.get(API_EVENT_CHANNEL)?.size).toBe(0)
  })
})
