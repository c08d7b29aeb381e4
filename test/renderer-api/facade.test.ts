import { describe, expect, it, vi } from 'vitest'
import type { ApiClient } from '@shared/ipc/api'
import { selectApi, type DesktopBridge } from '../../src-renderer/lib/api'

const fakeBridge = () => {
  const calls: Array<[string, unknown]> = []
  const bridge = new Proxy(
    {
      onEvent: vi.fn(() => () => {}),
    } as Record<string, unknown>,
    {
      get(target, key: string) {
        if (key in target) return target[key]
        return (payload: unknown) => {
          calls.push([key, payload])
          return Promise.resolve({ ok: true, value: key })
        }
      },
    },
  ) as unknown as DesktopBridge
  return { bridge, calls }
}

describe('renderer API facade', () => {
  it('uses window.api when the preload put it there, without opening a socket', async () => {
    const { bridge, calls } = fakeBridge()
    const connect = vi.fn()
    const api = await selectApi({ api: bridge, location: { href: 'app://consistency-lab/index.html' } }, connect)
    await expect(api.call('runs.get', { id: 'r1' })).resolves.toEqual({ ok: true, value: 'runs.get' })
    expect(calls).toEqual([['runs.get', { id: 'r1' }]])
    const listener = () => {}
    api.subscribe(listener)
    expect(bridge.onEvent).toHaveBeenCalledWith(listener)
    expect(connect).not.toHaveBeenCalled()
  })

  it('otherwise connects to the clab serve WebSocket of the page, token included', async () => {
    const client = { call: vi.fn(), subscribe: vi.fn() } as unknown as ApiClient
    const connect = vi.fn(async () => client)
    await expect(selectApi({ location: { href: 'http://127.0.0.1:8123/?token=abc' } }, connect)).resolves.toBe(client)
    expect(connect).toHaveBeenCalledWith('ws://127.0.0.1:8123/api?token=abc')
  })

  it('ignores a window.api that is not the bridge, and fails clearly with neither', async () => {
    const connect = vi.fn(async () => ({}) as ApiClient)
    await selectApi({ api: {} as DesktopBridge, location: { href: 'https://box:9000/?token=t' } }, connect)
    expect(connect).toHaveBeenCalledWith('wss://box:9000/api?token=t')
    await expect(selectApi({}, connect)).rejects.toThrow(/window\.api/)
  })
})
