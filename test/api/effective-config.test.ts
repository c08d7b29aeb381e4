/**
 * The effective config over the API: config.validate answers what a run would train with beside the parsed
 * config, and the run history hands a stored run's effective config out beside the asked one (runs.get,
 * runs.list with configs), both transports alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DISTILL_FIELDS_ADDED } from '@shared/config/stored'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import { startBackend, type Backend } from './harness'
import { value } from '../helpers/api-result'

let backend: Backend

beforeAll(async () => {
  backend = await startBackend('api-effective')
})

afterAll(async () => {
  await backend?.close()
})

describe('the effective config over the API', () => {
  it('#16.2 config.validate answers an iCT config asking mu 0.95 with the parsed config and the effective one (mu 0, inverse-gap)', async () => {
    for (const client of Object.values(backend.clients)) {
      const asked = { teacher: backend.teacherPath, algorithm: 'ict', targetEma: 0.95, weighting: 'uniform' }
      const result = value(await client.call('config.validate', { kind: 'distill', config: asked }))
      expect(result.valid).toBe(true)
      expect(result.config).toMatchObject({ algorithm: 'ict', targetEma: 0.95, weighting: 'uniform' })
      expect(result.effective).toEqual({ ...result.config, targetEma: 0, weighting: 'inverse-gap' })
      expect(result.overridden).toEqual([
        { field: 'targetEma', requested: 0.95, effective: 0 },
        { field: 'weighting', requested: 'uniform', effective: 'inverse-gap' },
      ])
      const cd = value(
        await client.call('config.validate', {
          kind: 'distill',
          config: { teacher: backend.teacherPath, targetEma: 0.95 },
        }),
      )
      expect(cd.effective).toEqual(cd.config)
      expect(cd.overridden).toEqual([])
      const teacher = value(await client.call('config.validate', { kind: 'teacher', config: { steps: 10 } }))
      expect(teacher.effective).toEqual(teacher.config)
      const invalid = value(await client.call('config.validate', { kind: 'distill', config: { numScales: 1 } }))
      expect(invalid).toMatchObject({ valid: false, config: null, effective: null, overridden: [] })
    }
  })

  it('#16.2 a stored iCT run that asked mu 0.95 is handed out with mu 0 and inverse-gap beside the asked config', async () => {
    const config = { algorithm: 'ict', numScales: 40, targetEma: 0.95, weighting: 'uniform', dataset: 'moons' }
    const run = backend.store.runs.createRun({ kind: 'distill', config, appVersion: '0.0.0', status: 'finished' })
    const teacherRun = backend.store.runs.createRun({
      kind: 'teacher',
      config: TEACHER_DEFAULTS,
      appVersion: '0.0.0',
      status: 'finished',
    })
    // Stored as asked: the record keeps the request.
    expect(backend.store.runs.getRun(run.id).config).toEqual(config)
    const effective = { ...DISTILL_FIELDS_ADDED, ...config, targetEma: 0, weighting: 'inverse-gap' }
    for (const client of Object.values(backend.clients)) {
      const got = value(await client.call('runs.get', { id: run.id }))
      expect(got.config).toEqual(config)
      expect(got.effectiveConfig).toEqual(effective)
      const listed = value(await client.call('runs.list', { withConfig: true }))
      expect(listed.find((r) => r.id === run.id)).toMatchObject({ config, effectiveConfig: effective })
      expect(listed.find((r) => r.id === teacherRun.id)?.effectiveConfig).toEqual(TEACHER_DEFAULTS)
      // Without configs, neither is listed.
      const bare = value(await client.call('runs.list', {}))
      expect(bare.find((r) => r.id === run.id)).not.toHaveProperty('effectiveConfig')
    }
  })
})
