import { describe, expect, it, vi } from 'vitest'
import { API_METHODS } from '@shared/ipc/api'
import { API_EVENT_CHANNEL, API_METHOD_NAMES, apiChannel } from '../../src-main/ipc/channels'
import {
  APP_ENTRY_URL,
  channelTable,
  EventBatcher,
  invokeHandler,
  isSafeExternalUrl,
  isTrustedSender,
  isTrustedUrl,
  trustedOrigins,
} from '../../src-main/ipc/policy'

const frame = (url: string | undefined) => ({ senderFrame: url === undefined ? null : { url } })

describe('sender check', () => {
  it('accepts the app protocol pages', () => {
    for (const url of [APP_ENTRY_URL, 'app://consistency-lab/', 'app://consistency-lab/assets/x.js?y=1#z']) {
      // (Chromium hands over canonical URLs: scheme and host of a standard scheme are lower case.)
      expect(isTrustedSender(frame(url)), url).toBe(true)
    }
  })

  it('refuses other origins, file://, devtools, data/blob/about, look-alikes and missing frames', () => {
    for (const url of [
      'https://consistency-lab/index.html',
      'http://localhost:5173/',
      'file:///work/main/out/renderer/index.html',
      'devtools://devtools/bundled/inspector.html',
      'chrome-extension://abc/index.html',
      'data:text/html,<script>1</script>',
      'blob:app://consistency-lab/1234',
      'about:blank',
      'app://consistency-lab.evil.com/index.html',
      'app://evil/consistency-lab/index.html',
      'app://user:pw@consistency-lab/index.html',
      'app://consistency-lab:8080/index.html',
      'app:consistency-lab/index.html',
      '',
      'not a url',
    ]) {
      expect(isTrustedSender(frame(url)), url).toBe(false)
    }
    expect(isTrustedSender(frame(undefined))).toBe(false)
    expect(isTrustedSender({})).toBe(false)
    const throwing = {
      get senderFrame(): { url: string } {
        throw new Error('frame destroyed')
      },
    }
    expect(isTrustedSender(throwing)).toBe(false)
  })

  it('trusts the dev server only when it is given, and only its own origin', () => {
    const dev = trustedOrigins('http://localhost:5173/')
    expect(isTrustedUrl('http://localhost:5173/index.html', dev)).toBe(true)
    expect(isTrustedUrl('http://localhost:5174/index.html', dev)).toBe(false)
    expect(isTrustedUrl('http://localhost:5173/', trustedOrigins())).toBe(false)
    expect(trustedOrigins('file:///x')).toHaveLength(1)
    expect(trustedOrigins('garbage')).toHaveLength(1)
  })
})

describe('channel table', () => {
  it('has exactly one channel per API method, named api:<method>', () => {
    const table = channelTable()
    expect(table.map((r) => r.method).sort()).toEqual([...API_METHODS].sort())
    expect(new Set(table.map((r) => r.channel)).size).toBe(API_METHODS.length)
    for (const row of table) expect(row.channel).toBe(`api:${row.method}`)
    expect(table.map((r) => r.channel)).not.toContain(API_EVENT_CHANNEL)
  })

  it('the shared method list (used by the preload) equals the contract, in order', () => {
    expect([...API_METHOD_NAMES]).toEqual(API_METHODS)
    expect(apiChannel('runs.start')).toBe('api:runs.start')
  })
})

describe('invoke handler', () => {
  it('passes trusted calls to the API untouched and refuses others with UNAUTHORIZED as data', async () => {
    const call = vi.fn(async (method: string, payload?: unknown) => ({ ok: true as const, value: { method, payload } }))
    const handler = invokeHandler({ call }, 'runs.get')
    await expect(handler(frame(APP_ENTRY_URL), { id: 'r1' })).resolves.toEqual({
      ok: true,
      value: { method: 'runs.get', payload: { id: 'r1' } },
    })
    const refused = await handler(frame('https://evil.example/page?secret=1'), { id: 'r1' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    // The refusal names the origin, not the whole URL.
    expect(JSON.stringify(refused)).not.toContain('secret')
    expect(await handler(frame(undefined))).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(call).toHaveBeenCalledTimes(1)
  })
})

describe('external links', () => {
  it('opens only plain https URLs', () => {
    expect(isSafeExternalUrl('https://github.com/x/y')).toBe(true)
    for (const url of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com',
      'app://consistency-lab/',
      'ms-msdt:foo',
      'nonsense',
    ]) {
      expect(isSafeExternalUrl(url), url).toBe(false)
    }
  })
})

describe('event batcher', () => {
  it('sends one batch per interval, in order, and flushes on close', () => {
    vi.useFakeTimers()
    try {
      const batches: unknown[][] = []
      const batcher = new EventBatcher((events) => batches.push(events), 50)
      for (let i = 0; i < 5; i++) batcher.push({ type: 'log', runId: 'r', line: String(i) })
      expect(batches).toHaveLength(0)
      vi.advanceTimersByTime(50)
      expect(batches).toHaveLength(1)
      expect(batches[0]).toHaveLength(5)
      batcher.push({ type: 'log', runId: 'r', line: 'last' })
      batcher.close()
      expect(batches).toHaveLength(2)
      batcher.push({ type: 'log', runId: 'r', line: 'after close' })
      vi.advanceTimersByTime(100)
      expect(batches).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
