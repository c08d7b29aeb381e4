/**
 * #19.7 runs.rename over both transports (in-process and the WebSocket of `clab serve`): the name is
 * stored and pushed as a run event, '' goes back to the derived name, a bad name is refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { Events, startBackend, type Backend } from './harness'
import { value, error } from '../helpers/api-result'

let backend: Backend
let id: string

beforeAll(async () => {
  backend = await startBackend('api-rename')
  // A finished run written by the store: renaming needs no engine.
  id = backend.store.runs.createRun({
    kind: 'distill',
    config: parseDistillConfig({ dataset: 'moons', solver: 'ddim' }),
    appVersion: 'test',
    status: 'finished',
  }).id
}, 120_000)

afterAll(async () => {
  await backend?.close()
})

describe.each(['in-process', 'websocket'] as const)('#19 runs.rename over %s', (transport) => {
  it('#19 renames, pushes the change, restores the derived name, refuses a bad name by field', async () => {
    const client = backend.clients[transport]
    const events = new Events(client)
    try {
      expect(value(await client.call('runs.get', { id })).name).toBe('cd N6 mu0 lr7e-3 ddim')
      expect(value(await client.call('runs.rename', { id, name: `best ${transport}` })).name).toBe(`best ${transport}`)
      await events.waitFor((e) => e.type === 'run' && e.run.id === id && e.run.name === `best ${transport}`, 5000)
      const listed = value(await client.call('runs.list', {}))
      expect(listed.find((r) => r.id === id)?.name).toBe(`best ${transport}`)
      expect(value(await client.call('runs.rename', { id, name: '' })).name).toBe('cd N6 mu0 lr7e-3 ddim')
      expect(error(await client.call('runs.rename', { id, name: 'x'.repeat(81) }))).toMatchObject({
        code: 'INVALID_PAYLOAD',
        field: 'name',
      })
      expect(error(await client.call('runs.rename', { id, name: 'a\u0007b' })).message).toContain('control characters')
      expect(error(await client.call('runs.rename', { id: 'no-such-run', name: 'x' }))).toMatchObject({
        code: 'NOT_FOUND',
      })
    } finally {
      events.off()
    }
  })
})
