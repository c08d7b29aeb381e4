import { describe, expect, it } from 'vitest'
import { parseTeacherConfig, ConfigError } from '@shared/config/validate'
import { TeachersState, evalSamplesProblem } from '../../../src-renderer/lib/state/teachers.svelte'
import { fakeApi } from './fixtures'

function validate(payload: unknown) {
  const { config } = payload as { config: Record<string, unknown> }
  try {
    return { valid: true, config: parseTeacherConfig(config), problems: [] }
  } catch (error) {
    if (error instanceof ConfigError) return { valid: false, config: null, problems: error.problems }
    throw error
  }
}

const settle = () => new Promise((r) => setTimeout(r, 20))

describe('#19 item 15: "Train teacher" is disabled while the form is invalid, as "Launch run" is', () => {
  it('blocks on a field problem found while typing and unblocks once it is fixed', async () => {
    const fake = fakeApi({ 'config.validate': validate, 'teachers.list': () => [] })
    const state = new TeachersState(fake.api, { validateDelayMs: 0 })
    expect(state.blocked).toBe(false)
    state.setField('numSteps', '1')
    await settle()
    expect(state.problems.numSteps).toMatch(/T \(teacher steps\)/)
    expect(state.blocked).toBe(true)
    state.setField('numSteps', '1000')
    await settle()
    expect(state.problems.numSteps).toBeUndefined()
    expect(state.blocked).toBe(false)
    state.dispose()
  })

  it('blocks on evaluation samples out of range, in words', () => {
    const fake = fakeApi({ 'config.validate': validate })
    const state = new TeachersState(fake.api, { validateDelayMs: 0 })
    state.evalSamples = '8'
    expect(state.blocked).toBe(true)
    expect(evalSamplesProblem('8')).toBe('Evaluation samples must be an integer from 16 to 100000 (got "8")')
    state.evalSamples = ''
    expect(state.blocked).toBe(false)
    expect(evalSamplesProblem(' 400 ')).toBeNull()
    state.dispose()
  })
})
