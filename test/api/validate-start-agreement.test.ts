/**
 * Issue #16: `config.validate` (what the form shows) and `runs.start` (launch) accept and refuse exactly the
 * same configs, with the same first field at fault: generated configs over the fields whose checks need the
 * teacher (its path, its dataset, the grid top against its schedule) and a few plain ones, with a real teacher
 * in the data folder. Started runs are cancelled at once.
 */
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import { startBackend, type Backend } from './harness'

let backend: Backend

beforeAll(async () => {
  backend = await startBackend('validate-start')
  copyFileSync(backend.teacherPath, join(backend.root, 'outside.ckpt'))
})

afterAll(async () => {
  await backend?.close()
})

/** Values per field, valid and not, for this history: the tiny teacher is trained on moons with T = 1000. */
const CHOICES: Record<string, unknown[]> = {
  teacher: [
    'tiny-teacher.ckpt',
    'builtin',
    'builtin-moons',
    'builtin-rings',
    '../outside.ckpt',
    'no-such-teacher',
    'lab.sqlite',
  ],
  dataset: ['moons', 'rings', 'image:no-such-set'],
  sigmaMax: [null, 20, 31.6, 40, 80, 150, 1e6],
  algorithm: ['cd', 'ct', 'ict', 'tutorial'],
  numScales: [1, 2, 6, 18, 1e6],
  targetEma: [0, 0.95, 1.5],
}

function pick<T>(rng: Rng, values: T[]): T {
  return values[rng.nextUint32() % values.length] as T
}

function generate(seed: number, count: number): Array<Record<string, unknown>> {
  const rng = Rng.fromSeed(seed)
  const fields = Object.keys(CHOICES)
  return Array.from({ length: count }, () => {
    const config: Record<string, unknown> = {
      batch: 16,
      steps: 20,
      evalSamples: 64,
      sampleEvery: 0,
      warmupSteps: 0,
      backend: 'cpu',
      teacher: 'tiny-teacher.ckpt',
    }
    const changed = 1 + (rng.nextUint32() % 3)
    for (let i = 0; i < changed; i++) {
      const field = pick(rng, fields)
      config[field] = pick(rng, CHOICES[field] as unknown[])
    }
    return config
  })
}

describe('#16 config.validate and runs.start', () => {
  it('#16 accept and refuse exactly the same generated configs, naming the same field', async () => {
    const client = backend.clients['in-process']
    const configs = generate(16, 120)
    let accepted = 0
    for (const config of configs) {
      const validated = await client.call('config.validate', { kind: 'distill', config })
      if (!validated.ok) throw new Error(`config.validate failed: ${validated.error.message}`)
      const started = await client.call('runs.start', { config })
      const what = JSON.stringify(config)
      expect(
        started.ok,
        `${what}: validate says ${validated.value.valid}, start ${started.ok ? 'ok' : started.error.message}`,
      ).toBe(validated.value.valid)
      if (started.ok) {
        accepted++
        backend.service.cancel(started.value.id)
      } else {
        expect(started.error.field, what).toBe(validated.value.problems[0]?.field)
      }
    }
    // Both sides of the property are exercised.
    expect(accepted).toBeGreaterThan(5)
    expect(accepted).toBeLessThan(configs.length - 5)
    await backend.service.whenIdle()
  }, 120_000)
})
