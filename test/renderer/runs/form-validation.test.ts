import { describe, expect, it } from 'vitest'
import type { FieldProblem } from '@shared/config/validate'
import { ConfigFormState } from '../../../src-renderer/lib/state/config-form.svelte'
import { FormValidation, OTHER_PROBLEMS } from '../../../src-renderer/lib/state/form-validation.svelte'
import { TeachersState } from '../../../src-renderer/lib/state/teachers.svelte'
import { fakeApi } from './fixtures'

type Answer = { valid: boolean; config: Record<string, unknown> | null; problems: FieldProblem[] }

/** A backend whose config.validate answers are released by the test, in the order it chooses. */
function heldBackend() {
  const held: { kind: string; release: (answer: Answer) => void }[] = []
  const fake = fakeApi({
    'config.validate': (payload) =>
      new Promise<Answer>((release) => held.push({ kind: String(payload.kind), release })),
  })
  return { fake, held }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

const stepsProblem: FieldProblem = { field: 'steps', message: 'steps must be at least 1', value: 0 }
const otherProblem: FieldProblem = { field: 'nonsense', message: 'unknown field', value: 1 }

/** Both forms, driven the same way: change a field, validate now. */
const forms = {
  distill: (api: ReturnType<typeof fakeApi>['api']) => {
    const form = new ConfigFormState(api, { debounceMs: 60_000 })
    return {
      validation: form as FormValidation<unknown>,
      edit: (text: string) => {
        form.set('steps', text)
        return form.validateNow()
      },
      fieldText: () => form.problemsByField.steps?.map((p) => p.message).join('; '),
      dispose: () => form.dispose(),
    }
  },
  teacher: (api: ReturnType<typeof fakeApi>['api']) => {
    const state = new TeachersState(api, { validateDelayMs: 60_000 })
    return {
      validation: state.validation as FormValidation<unknown>,
      edit: (text: string) => {
        state.setField('steps', text)
        return state.validate()
      },
      fieldText: () => state.problems.steps,
      dispose: () => state.dispose(),
    }
  },
}

describe('#16 one form-validation state for the distillation and teacher forms', () => {
  it('the New run / Branch form and the teacher form validate through the same FormValidation class', () => {
    const { fake } = heldBackend()
    const distill = new ConfigFormState(fake.api)
    const teachers = new TeachersState(fake.api)
    expect(distill).toBeInstanceOf(FormValidation)
    expect(teachers.validation).toBeInstanceOf(FormValidation)
    // Each maps problems onto its own registry's fields.
    expect(distill.fieldOf('teacher')).toBe('teacher')
    expect(teachers.validation.fieldOf('teacher')).toBe(OTHER_PROBLEMS)
    expect(teachers.validation.fieldOf('numSteps')).toBe('numSteps')
    // A problem inside a list field lands on the list; an unknown field on the whole config.
    expect(distill.fieldOf('multistepSigmas.1')).toBe('multistepSigmas')
    expect(distill.fieldOf('nonsense')).toBe(OTHER_PROBLEMS)
    distill.dispose()
    teachers.dispose()
  })

  for (const [name, make] of Object.entries(forms)) {
    it(`${name}: a backend problem lands on its field and blocks; only the latest answer is shown`, async () => {
      const { fake, held } = heldBackend()
      const form = make(fake.api)
      expect(form.validation.blocked).toBe(false)

      const first = form.edit('0')
      await tick()
      held[0]!.release({ valid: false, config: null, problems: [stepsProblem, otherProblem] })
      await first
      expect(held[0]!.kind).toBe(name)
      expect(form.fieldText()).toMatch(/^steps must be at least 1/)
      expect(form.validation.problemsByField[OTHER_PROBLEMS]).toEqual([otherProblem])
      expect(form.validation.blocked).toBe(true)

      // An older answer arriving after a newer one is dropped.
      const stale = form.edit('1')
      await tick()
      const fresh = form.edit('2')
      await tick()
      held[2]!.release({ valid: true, config: { steps: 2 }, problems: [] })
      await fresh
      held[1]!.release({ valid: false, config: null, problems: [stepsProblem] })
      await stale
      expect(form.fieldText()).toBeUndefined()
      expect(form.validation.problems).toEqual([])
      expect(form.validation.resolved).toEqual({ steps: 2 })
      expect(form.validation.blocked).toBe(false)
      form.dispose()
    })
  }
})
