/**
 * #16 "adding a field touches only the registry", proved: a test-only numeric field added to a registry
 * built the same way as DISTILL_FIELD_SPECS is picked up by the schema (type and checks), the run form's
 * field list, the CLI options and their help, the sweep, branch and resume lists, the runs table's columns
 * and the fill-in of older records, with no other code. (A real field also needs its value in the default
 * preset, defaults.ts, which the DistillConfig type then demands, and the engine code that uses it.)
 */
import { Command } from 'commander'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { DISTILL_FIELD_SPECS } from '@shared/config/distill-fields'
import { distillDefaultText } from '@shared/config/field-defaults'
import { branchMustKeepOf, resumableOf, sweepableOf } from '@shared/config/fields'
import { flagsOf, rangeText, type FieldSpec } from '@shared/config/registry'
import { DistillConfigSchema, distillConfigSchemaOf } from '@shared/config/schemas'
import { addedFieldsOf } from '@shared/config/stored'
import { numberListArg, pickConfig } from '../../../src-main/cli/args'
import { addConfigOptions } from '../../../src-main/cli/config-options'
import { formFieldsOf } from '../../../src-renderer/lib/form-fields'
import { configColumnsOf } from '../../../src-renderer/lib/runs-table-columns'

const FIXTURE = {
  key: 'fixtureGain',
  label: 'Fixture gain',
  symbol: 'g',
  what: 'fixture gain',
  help: 'A test-only gain: proves the registry is the one place a field is declared.',
  kind: 'number',
  bounds: { min: 0, max: 4, maxOpen: true },
  group: 'loss',
  branchable: true,
  sweepable: true,
  legacy: { value: 1, by: 'stored' },
  cli: { flag: '--fixture-gain', arg: '<g>', help: 'test-only gain' },
  column: { title: 'Fixture gain (test only)', width: '4rem' },
} as const satisfies FieldSpec

/** The registry with the fixture, built as the app builds its own. */
const SPECS = [...DISTILL_FIELD_SPECS, FIXTURE] as const

describe('#16 a field added to the registry reaches every derived surface', () => {
  it('#16 the schema checks it (bounds, message naming it) and types it; the real schema does not know it', () => {
    const schema = distillConfigSchemaOf(SPECS)
    expectTypeOf<z.infer<typeof schema>['fixtureGain']>().toEqualTypeOf<number>()
    expect(schema.parse({ ...DISTILL_DEFAULTS, fixtureGain: 2.5 }).fixtureGain).toBe(2.5)
    const tooBig = schema.safeParse({ ...DISTILL_DEFAULTS, fixtureGain: 4 })
    expect(tooBig.success).toBe(false)
    expect(tooBig.error?.issues[0]).toMatchObject({ path: ['fixtureGain'], message: 'fixture gain must be < 4' })
    expect(schema.safeParse({ ...DISTILL_DEFAULTS, fixtureGain: -1 }).error?.issues[0]?.message).toBe(
      'fixture gain must be at least 0',
    )
    expect(schema.safeParse({ ...DISTILL_DEFAULTS, fixtureGain: 'x' }).error?.issues[0]?.message).toBe(
      'fixture gain must be a number',
    )
    expect(schema.safeParse(DISTILL_DEFAULTS).error?.issues[0]?.path).toEqual(['fixtureGain'])
    expect(DistillConfigSchema.safeParse({ ...DISTILL_DEFAULTS, fixtureGain: 1 }).success).toBe(false)
  })

  it('#16 the run form lists it in its group with its label, range and bounds', () => {
    const meta = formFieldsOf(SPECS).find((f) => f.key === ('fixtureGain' as never))
    expect(meta).toMatchObject({
      label: 'Fixture gain',
      group: 'loss',
      range: rangeText(FIXTURE),
      min: 0,
      max: 4,
      step: 'any',
      branchable: true,
      sweepable: true,
    })
    expect(meta?.range).toBe('0 ≤ value < 4')
  })

  it('#16 the CLI has its flag with help and default, parses it, and a sweep takes a list of it', () => {
    const command = addConfigOptions(new Command('distill').exitOverride(), SPECS, { defaultText: distillDefaultText })
    const option = command.options.find((o) => o.long === '--fixture-gain')
    expect(option?.description).toMatch(/^test-only gain \(default .+\)$/)
    command.parse(['--dataset', 'moons', '--fixture-gain', '2.5'], { from: 'user' })
    expect(pickConfig(command.opts(), SPECS)).toEqual({ dataset: 'moons', fixtureGain: 2.5 })
    expect(flagsOf(SPECS).fixtureGain).toBe('--fixture-gain')
    const sweep = addConfigOptions(new Command('sweep').exitOverride(), SPECS, {
      defaultText: distillDefaultText,
      sweepable: numberListArg,
    })
    sweep.parse(['--dataset', 'moons', '--fixture-gain', '0.5,1,2'], { from: 'user' })
    expect(pickConfig(sweep.opts(), SPECS).fixtureGain).toEqual([0.5, 1, 2])
  })

  it('#16 the sweep, branch and resume lists, the table columns and the legacy fill-in follow its flags', () => {
    expect(sweepableOf(SPECS)).toContain('fixtureGain')
    expect(branchMustKeepOf(SPECS)).not.toContain('fixtureGain')
    expect(resumableOf(SPECS)).not.toContain('fixtureGain')
    expect(configColumnsOf(SPECS).at(-1)).toMatchObject({
      key: 'fixtureGain',
      label: 'g',
      title: 'Fixture gain (test only)',
      numeric: true,
      width: '4rem',
    })
    expect(addedFieldsOf(SPECS)).toMatchObject({ fixtureGain: 1 })
  })
})
