import { beforeAll, describe, expect, it } from 'vitest'
import { ALGORITHMS } from '@shared/config/fields'
import { evalEmaAtStep, learningRateAtStep, numScalesAt, targetMuAt, trainedSteps } from '@shared/config/effective'
import { parseDistillConfig } from '@shared/config/validate'
import { Distiller, type StepResult } from '../../src-main/engine/distiller'
import { randomTeacher, useCpu } from '../helpers/engine'

beforeAll(useCpu)

// The form's previews draw these same functions (test/renderer/live/schedule-preview-effective.test.ts).
describe("the Distiller trains with the effective config's schedules", () => {
  it.each(ALGORITHMS)(
    '#16.3 %s: its levels, N(k), lr(k), mu(k) and eval-EMA decay are the shared builders',
    async (algorithm) => {
      const teacher = randomTeacher()
      const K = 24
      const config = parseDistillConfig({
        algorithm,
        batch: 8,
        steps: K,
        numScales: 41,
        warmupSteps: 5,
        lrSchedule: 'cosine',
        evalSamples: 64,
      })
      const distiller = new Distiller(config, teacher, 'cpu')
      expect(distiller.trainedSteps()).toEqual(trainedSteps(config, teacher.schedule))
      const steps: StepResult[] = []
      for (let k = 0; k < K; k++) steps.push(...(await distiller.trainStep()))
      steps.push(...(await distiller.settle()))
      expect(steps).toHaveLength(K)
      for (let k = 0; k < K; k++) {
        const step = steps[k] as (typeof steps)[number]
        expect([step.lr, step.numScales]).toEqual([learningRateAtStep(config, k), numScalesAt(config, k)])
        const { effective } = distiller
        expect([effective.learningRateAt(k), effective.evalEmaAt(k), effective.targetMuAt(k)]).toEqual([
          step.lr,
          evalEmaAtStep(config, k),
          targetMuAt(config, k),
        ])
      }
      distiller.dispose()
      teacher.weights.dispose()
    },
  )
})
