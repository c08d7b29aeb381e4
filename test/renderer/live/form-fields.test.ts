import { describe, expect, it } from 'vitest'
import { ALGORITHMS, BACKENDS, GRIDS, LOSSES, LR_SCHEDULES, SOLVERS, WEIGHTINGS } from '@shared/config/fields'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { ConfigError, parseDistillConfig } from '@shared/config/validate'
import { DATASETS_2D } from '@shared/data/datasets2d'
import {
  BRANCHABLE_KEYS,
  FIELDS,
  configOf,
  fieldMeta,
  fieldValue,
  textsOf,
} from '../../../src-renderer/lib/form-fields'

const meta = (key: string) => {
  const m = fieldMeta(key)
  if (!m) throw new Error(`no meta for ${key}`)
  return m
}

function problemsOf(partial: Record<string, unknown>): string[] {
  try {
    parseDistillConfig(partial)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.field)
    throw error
  }
}

describe('form field metadata', () => {
  it('describes every field of a distillation config, and only those', () => {
    expect(FIELDS.map((f) => f.key).sort()).toEqual(Object.keys(DISTILL_DEFAULTS).sort())
    for (const f of FIELDS) {
      expect(f.label.length, f.key).toBeGreaterThan(0)
      expect(f.help.length, f.key).toBeGreaterThan(20)
      expect(f.range.length, f.key).toBeGreaterThan(0)
    }
  })

  it('offers the same choices as the config enums', () => {
    expect(meta('dataset').options).toEqual(DATASETS_2D)
    expect(meta('algorithm').options).toEqual(ALGORITHMS)
    expect(meta('loss').options).toEqual(LOSSES)
    expect(meta('solver').options).toEqual(SOLVERS)
    expect(meta('grid').options).toEqual(GRIDS)
    expect(meta('lrSchedule').options).toEqual(LR_SCHEDULES)
    expect(meta('weighting').options).toEqual(WEIGHTINGS)
    expect(meta('backend').options).toEqual(BACKENDS)
  })

  it("states the schema's bounds for integer fields: min passes, min - 1 fails, max + 1 fails", () => {
    for (const f of FIELDS.filter((x) => x.kind === 'int')) {
      expect(problemsOf({ [f.key]: f.min }), `${f.key} = min`).toEqual([])
      expect(problemsOf({ [f.key]: (f.min as number) - 1 }), `${f.key} = min - 1`).toContain(f.key)
      if (f.key !== 'warmupSteps')
        expect(problemsOf({ [f.key]: (f.max as number) + 1 }), `${f.key} = max + 1`).toContain(f.key)
    }
  })

  it('round-trips the defaults through form texts', () => {
    const texts = textsOf(DISTILL_DEFAULTS)
    expect(texts.numScales).toBe(String(DISTILL_DEFAULTS.numScales))
    expect(texts.huberC).toBe('')
    expect(texts.multistepSigmas).toBe(DISTILL_DEFAULTS.multistepSigmas.join(', '))
    expect(configOf(texts)).toEqual(DISTILL_DEFAULTS)
  })

  it('keeps text that is not a number as typed, so validation can name it', () => {
    expect(fieldValue(meta('numScales'), ' 40 ')).toBe(40)
    expect(fieldValue(meta('numScales'), 'abc')).toBe('abc')
    expect(fieldValue(meta('lr'), '1e-3')).toBe(0.001)
    expect(fieldValue(meta('huberC'), '  ')).toBeNull()
    expect(fieldValue(meta('huberC'), '0.01')).toBe(0.01)
    expect(fieldValue(meta('multistepSigmas'), '0.8, 0.4,x')).toEqual([0.8, 0.4, 'x'])
    expect(problemsOf({ numScales: fieldValue(meta('numScales'), 'abc') })).toEqual(['numScales'])
  })

  it('lets a branch change hyperparameters but not the data, method family, grid, sigma_data or teacher', () => {
    for (const key of ['dataset', 'algorithm', 'grid', 'sigmaData', 'teacher'])
      expect(BRANCHABLE_KEYS).not.toContain(key)
    for (const key of ['numScales', 'targetEma', 'lr', 'steps', 'loss', 'solver'])
      expect(BRANCHABLE_KEYS).toContain(key)
  })
})
