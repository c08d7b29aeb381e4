import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  diffConfigs,
  formatNumber,
  numericFields,
  shortLabels,
  visibleRows,
} from '../../../src-renderer/lib/config-diff'

const a = { dataset: 'moons', numScales: 18, lr: 0.001, multistepSigmas: [0.8, 0.4], nested: { a: 1, b: 2 } }
const b = { dataset: 'moons', numScales: 40, lr: 0.001, multistepSigmas: [0.8, 0.2], nested: { b: 2, a: 1 } }

describe('diffConfigs', () => {
  it('marks the fields that differ, one cell per run', () => {
    const rows = diffConfigs([a, b])
    expect(rows.map((r) => r.field)).toEqual(['dataset', 'numScales', 'lr', 'multistepSigmas', 'nested'])
    const byField = Object.fromEntries(rows.map((r) => [r.field, r]))
    expect(byField.dataset?.differs).toBe(false)
    expect(byField.numScales?.differs).toBe(true)
    expect(byField.numScales?.cells).toEqual(['18', '40'])
    expect(byField.lr?.cells).toEqual(['1e-3', '1e-3'])
  })

  it('compares nested arrays by content and objects regardless of key order', () => {
    const byField = Object.fromEntries(diffConfigs([a, b]).map((r) => [r.field, r]))
    expect(byField.multistepSigmas?.differs).toBe(true)
    expect(byField.multistepSigmas?.cells).toEqual(['[0.8, 0.4]', '[0.8, 0.2]'])
    expect(byField.nested?.differs).toBe(false)
    expect(diffConfigs([{ s: [1, 2] }, { s: [1, 2] }])[0]?.differs).toBe(false)
  })

  it('treats a missing field as different and shows it as a dash', () => {
    const rows = diffConfigs([{ x: 1 }, { x: 1, weighting: 'uniform' }, null])
    const w = rows.find((r) => r.field === 'weighting')
    expect(w?.differs).toBe(true)
    expect(w?.cells).toEqual(['—', 'uniform', '—'])
    expect(rows.find((r) => r.field === 'x')?.differs).toBe(true)
    // null vs missing are not the same thing
    expect(diffConfigs([{ h: null }, {}])[0]?.differs).toBe(true)
  })

  it('shows only differences when asked', () => {
    const rows = diffConfigs([a, b])
    expect(visibleRows(rows, true).map((r) => r.field)).toEqual(['numScales', 'multistepSigmas'])
    expect(visibleRows(rows, false)).toHaveLength(5)
  })

  it('canonical JSON separates undefined from null and sorts keys', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 1, c: 2 }] })).toBe('{"a":[1,{"c":2,"d":1}],"b":1}')
    expect(canonicalJson(undefined)).not.toBe(canonicalJson(null))
  })

  it('formats numbers compactly', () => {
    expect(formatNumber(0.0001)).toBe('1e-4')
    expect(formatNumber(0.95)).toBe('0.95')
    expect(formatNumber(3000)).toBe('3000')
    expect(formatNumber(0.1 + 0.2)).toBe('0.3')
  })
})

describe('shortLabels and numericFields', () => {
  it('labels runs by the fields they differ in', () => {
    expect(shortLabels([a, b])).toEqual([
      'numScales=18, multistepSigmas=[0.8, 0.4]',
      'numScales=40, multistepSigmas=[0.8, 0.2]',
    ])
    expect(
      shortLabels([
        { algorithm: 'cd', dataset: 'moons' },
        { algorithm: 'cd', dataset: 'moons' },
      ]),
    ).toEqual(['cd · moons', 'cd · moons'])
  })

  it('lists fields with a number in some config', () => {
    expect(numericFields([a, { ...b, extra: 'x', n: 3 }])).toEqual(['numScales', 'lr', 'n'])
  })
})
