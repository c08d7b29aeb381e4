/**
 * The field registry is the one table of what a run can be told; the schemas, both forms, the CLI and the
 * sweep list are read from it. These tests hold them to it, field by field.
 */
import { describe, expect, it } from 'vitest'
import type { Command, Option } from 'commander'
import type { z } from 'zod'
import { DISTILL_DEFAULTS, TEACHER_DEFAULTS } from '@shared/config/defaults'
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { distillDefaultText, teacherDefaultText } from '@shared/config/field-defaults'
import { BRANCH_MUST_KEEP, RESUMABLE_FIELDS, SWEEPABLE_FIELDS } from '@shared/config/fields'
import type { FieldSpec } from '@shared/config/registry'
import { DistillConfigSchema, TeacherConfigSchema } from '@shared/config/schemas'
import { DISTILL_FIELDS_ADDED, completeStoredDistillConfig } from '@shared/config/stored'
import { TEACHER_FIELDS } from '@shared/config/teacher-fields'
import { DISTILL_FLAGS, TEACHER_FLAGS, pickConfig } from '../../../src-main/cli/args'
import { buildProgram } from '../../../src-main/cli/program'
import { BRANCHABLE_KEYS, FIELDS, SWEEPABLE_KEYS } from '../../../src-renderer/lib/form-fields'
import { TEACHER_FORM_FIELDS } from '../../../src-renderer/lib/teacher-form-fields'

const program = buildProgram(() => undefined)
const command = (name: string): Command => program.commands.find((c) => c.name() === name) as Command
const optionOf = (cmd: Command, flag: string): Option | undefined =>
  cmd.options.find((o) => o.long === flag || o.flags.startsWith(`${flag} `))

const shapeOf = (schema: z.ZodObject, key: string) => (schema.shape as Record<string, z.ZodType>)[key] as z.ZodType

/** A value just outside a bound: the next integer for ints, a small step for reals. */
const beyond = (spec: FieldSpec, v: number, dir: -1 | 1) =>
  spec.kind === 'int' || spec.kind === 'int-list' ? v + dir : v + dir * Math.max(1e-9, Math.abs(v) * 1e-9)

/** The field's value built from one number: the number itself, or a one-entry list. */
const valueOf = (spec: FieldSpec, v: number) => (spec.kind === 'number-list' || spec.kind === 'int-list' ? [v] : v)

/** Teacher fields have cross-field rules (even embedding, groups dividing channels): a number that keeps them. */
const fits = (spec: FieldSpec, v: number) => !(spec.key === 'timeEmbeddingDim' && v % 2 !== 0)

function checkBounds(schema: z.ZodObject, specs: readonly FieldSpec[]) {
  for (const spec of specs) {
    const b = spec.bounds
    if (!b) continue
    const field = shapeOf(schema, spec.key)
    const accepts = (v: number) => field.safeParse(valueOf(spec, v)).success
    if (b.minOpen) expect(accepts(b.min), `${spec.key} = min (open)`).toBe(false)
    else if (fits(spec, b.min)) expect(accepts(b.min), `${spec.key} = min`).toBe(true)
    expect(accepts(beyond(spec, b.min, -1)), `${spec.key} below min`).toBe(false)
    if (b.max === undefined) continue
    if (b.maxOpen) expect(accepts(b.max), `${spec.key} = max (open)`).toBe(false)
    else if (fits(spec, b.max)) expect(accepts(b.max), `${spec.key} = max`).toBe(true)
    expect(accepts(beyond(spec, b.max, 1)), `${spec.key} above max`).toBe(false)
  }
}

function checkListLengths(schema: z.ZodObject, specs: readonly FieldSpec[]) {
  for (const spec of specs) {
    if (!spec.items) continue
    const field = shapeOf(schema, spec.key)
    // Strictly decreasing entries within the bounds (multistep sigmas must decrease).
    const list = (n: number) =>
      Array.from({ length: n }, (_, i) => (spec.kind === 'int-list' ? (spec.bounds?.min ?? 1) : n - i))
    expect(field.safeParse(list(spec.items.max)).success, `${spec.key}: ${spec.items.max} entries`).toBe(true)
    expect(field.safeParse(list(spec.items.max + 1)).success, `${spec.key}: ${spec.items.max + 1} entries`).toBe(false)
    if (spec.items.min)
      expect(field.safeParse(list(spec.items.min - 1)).success, `${spec.key}: ${spec.items.min - 1} entries`).toBe(
        false,
      )
  }
}

function checkChoices(schema: z.ZodObject, specs: readonly FieldSpec[]) {
  for (const spec of specs) {
    if (!spec.options || spec.key === 'dataset') continue
    const field = shapeOf(schema, spec.key) as z.ZodType & {
      options?: readonly string[]
      unwrap?: () => { options: readonly string[] }
    }
    const options = field.options ?? field.unwrap?.().options
    expect(options, spec.key).toEqual(spec.options)
  }
}

function checkCli(cmd: Command, specs: readonly FieldSpec[], defaultText: (spec: FieldSpec) => string) {
  for (const spec of specs) {
    if (!spec.cli) continue
    const option = optionOf(cmd, spec.cli.flag)
    expect(option, `${cmd.name()} ${spec.cli.flag}`).toBeDefined()
    expect(option?.flags).toBe(`${spec.cli.flag} ${spec.cli.arg}`)
    if (spec.cli.required) expect(option?.mandatory, spec.cli.flag).toBe(true)
    else expect(option?.description, spec.cli.flag).toContain(`(default ${defaultText(spec)})`)
  }
}

describe('#16.1 the field registry', () => {
  it('#16.1 names every config field once, and the schemas, forms and flag tables have exactly its fields', () => {
    const distillKeys = DISTILL_FIELDS.map((f) => f.key)
    expect(new Set(distillKeys).size).toBe(distillKeys.length)
    expect([...distillKeys].sort()).toEqual(Object.keys(DistillConfigSchema.shape).sort())
    expect([...distillKeys].sort()).toEqual(Object.keys(DISTILL_DEFAULTS).sort())
    expect(FIELDS.map((f) => f.key)).toEqual(distillKeys)
    expect(Object.keys(DISTILL_FLAGS)).toEqual(distillKeys)
    const teacherKeys = TEACHER_FIELDS.map((f) => f.key)
    expect([...teacherKeys].sort()).toEqual(Object.keys(TeacherConfigSchema.shape).sort())
    expect([...teacherKeys].sort()).toEqual(Object.keys(TEACHER_DEFAULTS).sort())
    expect(TEACHER_FORM_FIELDS.map((f) => f.key)).toEqual(TEACHER_FIELDS.filter((f) => !f.noForm).map((f) => f.key))
    expect(Object.keys(TEACHER_FLAGS)).toEqual(teacherKeys)
  })

  it('#16.1 the schema bounds are the registry bounds: the ends it includes pass, one step beyond fails', () => {
    checkBounds(DistillConfigSchema, DISTILL_FIELDS)
    checkBounds(TeacherConfigSchema, TEACHER_FIELDS)
    checkListLengths(DistillConfigSchema, DISTILL_FIELDS)
    checkListLengths(TeacherConfigSchema, TEACHER_FIELDS)
    checkChoices(DistillConfigSchema, DISTILL_FIELDS)
    checkChoices(TeacherConfigSchema, TEACHER_FIELDS)
  })

  it('#16.1 the forms show the registry bounds and choices', () => {
    for (const spec of DISTILL_FIELDS) {
      const meta = FIELDS.find((f) => f.key === spec.key)
      if (spec.bounds && spec.kind !== 'number-list') {
        expect(meta?.min, spec.key).toBe(spec.bounds.min)
        expect(meta?.max, spec.key).toBe(spec.bounds.max)
      }
      expect(meta?.options, spec.key).toEqual(spec.options)
      expect(meta?.label).toBe(spec.label)
    }
    for (const field of TEACHER_FORM_FIELDS) {
      const spec = TEACHER_FIELDS.find((f) => f.key === field.key) as FieldSpec
      expect(field.min, field.key).toBe(spec.bounds?.min)
      expect(field.max, field.key).toBe(spec.bounds?.max)
      expect(field.options, field.key).toEqual(spec.options)
    }
  })

  it('#16.1 the CLI has a flag per field, its help shows the default per kind of run, and it picks the field', () => {
    checkCli(command('distill'), DISTILL_FIELDS, distillDefaultText)
    checkCli(command('sweep'), DISTILL_FIELDS, distillDefaultText)
    checkCli(command('teacher'), TEACHER_FIELDS, teacherDefaultText)
    expect(optionOf(command('distill'), '--N')?.description).toContain('(default 6; 18 for image data')
    expect(optionOf(command('distill'), '--sigma-max')?.description).toContain('at least 31.6')
    expect(optionOf(command('distill'), '--batch')?.description).toContain('(default 1024; 256 for image data')
    // An image teacher samples from its trained weights unless asked: the help says so beside the 2D default.
    expect(optionOf(command('teacher'), '--ema')?.description).toContain('(default 0.999; 0 for image data)')
    expect(optionOf(command('teacher'), '--batch')?.description).toContain('(default 128; 256 for image data)')
    expect(pickConfig({ N: 8, sigmaMax: 'last', evalEma: 0.9 }, DISTILL_FIELDS)).toEqual({
      numScales: 8,
      sigmaMax: null,
      evalEma: 0.9,
    })
  })

  it('#16.1 the sweep list is the same in the registry, the service, the form and the CLI', () => {
    const sweepable = DISTILL_FIELDS.filter((f) => f.sweepable)
    expect(SWEEPABLE_FIELDS).toEqual(sweepable.map((f) => f.key))
    expect(SWEEPABLE_KEYS).toEqual(SWEEPABLE_FIELDS)
    for (const spec of sweepable) expect(['int', 'number', 'optional-number'], spec.key).toContain(spec.kind)
    // `clab sweep` parses exactly the sweepable flags as comma lists; `clab distill` parses them as one number.
    const sweep = command('sweep')
    for (const spec of DISTILL_FIELDS) {
      if (!spec.cli || spec.kind === 'number-list') continue
      const option = optionOf(sweep, spec.cli.flag) as Option & { parseArg?: (v: string, p: unknown) => unknown }
      let parsed: unknown
      try {
        parsed = option.parseArg?.('2,3', undefined)
      } catch {
        parsed = 'refused'
      }
      if (spec.sweepable) expect(parsed, spec.cli.flag).toEqual([2, 3])
      else expect(parsed, spec.cli.flag).not.toEqual([2, 3])
    }
    const distillN = optionOf(command('distill'), '--N') as Option & { parseArg: (v: string, p: unknown) => unknown }
    expect(distillN.parseArg('4', undefined)).toBe(4)
  })

  it('#16.1 branch, resume and legacy fill-in are the registry flags', () => {
    expect([...BRANCH_MUST_KEEP].sort()).toEqual(['algorithm', 'dataset', 'grid', 'sigmaData', 'teacher'])
    expect(BRANCHABLE_KEYS).toEqual(DISTILL_FIELDS.filter((f) => f.branchable).map((f) => f.key))
    expect([...RESUMABLE_FIELDS].sort()).toEqual([
      'backend',
      'checkpointEvery',
      'evalEvery',
      'evalSamples',
      'multistepSigmas',
      'sampleEvery',
      'steps',
      'teacher',
    ])
    expect(DISTILL_FIELDS_ADDED).toEqual({
      teacherSubsteps: 1,
      topPairShare: 0,
      topPairTarget: 'next-level',
      topPairReplay: 0,
      sigmaMax: null,
    })
    expect(completeStoredDistillConfig({ teacherSubsteps: 4 })).toEqual({
      teacherSubsteps: 4,
      topPairShare: 0,
      topPairTarget: 'next-level',
      topPairReplay: 0,
      sigmaMax: null,
    })
    // A legacy value the schema fills is what the schema gives a record that lacks the field.
    for (const [schema, specs] of [
      [DistillConfigSchema, DISTILL_FIELDS],
      [TeacherConfigSchema, TEACHER_FIELDS],
    ] as const) {
      for (const spec of specs) {
        if (spec.legacy?.by === 'schema')
          expect(shapeOf(schema, spec.key).parse(undefined), spec.key).toEqual(spec.legacy.value)
      }
    }
  })

  it("#18 the backend fields' help names every backend in the order auto tries them, webgpu included", () => {
    for (const fields of [DISTILL_FIELDS, TEACHER_FIELDS] as const) {
      const help = fields.find((f) => f.key === 'backend')?.help ?? ''
      expect(help).toContain('auto tries node-gpu, webgpu, node, wasm, cpu')
      expect(help).toContain('webgpu on a hardware adapter only')
    }
  })
})
