import { describe, expect, it } from 'vitest'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import { ALGORITHMS } from '@shared/config/fields'
import { scheduleOf } from '@shared/cd/schedule'
import { evalEmaAtStep, learningRateAtStep, numScalesAt, targetMuAt, trainedSteps } from '@shared/config/effective'
import { parseDistillConfig } from '@shared/config/validate'
import { sigmaLevels, trainingSchedules } from '../../../src-renderer/lib/charts/schedule-preview'

// The engine trains with these same functions (test/engine/distiller-schedules.test.ts).
describe("the schedule previews draw the effective config's builders", () => {
  it.each(ALGORITHMS)('#16.3 %s: levels, N(k), mu(k), eval EMA and lr(k) at every previewed step', (algorithm) => {
    const config = parseDistillConfig({
      algorithm,
      steps: 3000,
      numScales: 160,
      warmupSteps: 100,
      lrSchedule: 'cosine',
      sigmaMax: algorithm === 'tutorial' ? null : 80,
    })
    expect(sigmaLevels(config, TEACHER_DEFAULTS).steps).toEqual(trainedSteps(config, scheduleOf(TEACHER_DEFAULTS)))
    const preview = trainingSchedules(config)
    for (const [i, { x: k }] of preview.lr.entries()) {
      const at = [preview.numScales[i], preview.mu[i], preview.evalEma[i], preview.lr[i]].map((p) => p?.y)
      expect(at).toEqual([
        numScalesAt(config, k),
        targetMuAt(config, k),
        evalEmaAtStep(config, k),
        learningRateAtStep(config, k),
      ])
    }
  })
})
