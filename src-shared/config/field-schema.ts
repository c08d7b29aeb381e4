/**
 * A field's zod schema and value type read from its registry entry, so a plain field (a number in its
 * bounds, one of its options, a list) needs nothing but its entry: its kind says the type, its bounds and
 * `what` the checks and their messages, and a `legacy` value by 'schema' its default for older records.
 * Fields with rules of their own (a dataset reference, decreasing sigmas) keep a schema written in
 * schemas.ts, which takes precedence.
 */
import { z } from 'zod'
import type { FieldSpec } from './registry'

/** The value a field of this spec holds (a select's value is one of its options). */
export type SpecValue<S> = S extends { kind: 'int' | 'number' }
  ? number
  : S extends { kind: 'optional-number' }
    ? number | null
    : S extends { kind: 'number-list' | 'int-list' }
      ? number[]
      : S extends { kind: 'select'; options: readonly (infer O extends string)[] }
        ? O
        : string

/** The config a registry describes: one property per field, typed from its spec. */
export type ValuesOf<T extends readonly FieldSpec[]> = { [S in T[number] as S['key']]: SpecValue<S> }

/** The schema of one entry of a numeric field (or of a list's entries), checked against its bounds. */
function numberSchema(spec: FieldSpec, what: string): z.ZodNumber {
  let schema = z.number({ error: () => `${what} must be a number` })
  const isInt = spec.kind === 'int' || spec.kind === 'int-list'
  if (isInt) schema = schema.int({ error: () => `${what} must be an integer` })
  // An integer without an upper bound still gets one: 1e9 keeps it a safe, storable count.
  const b = spec.bounds && isInt && spec.bounds.max === undefined ? { ...spec.bounds, max: 1e9 } : spec.bounds
  if (!b) return schema
  schema = b.minOpen
    ? schema.gt(b.min, { error: () => `${what} must be > ${b.min}` })
    : schema.min(b.min, { error: () => `${what} must be at least ${b.min}` })
  if (b.max === undefined) return schema
  const max = b.max
  return b.maxOpen
    ? schema.lt(max, { error: () => `${what} must be < ${max}` })
    : schema.max(max, { error: () => `${what} must be at most ${max}` })
}

/** The field's schema as its registry entry says it (see the file comment). */
export function fieldSchema(spec: FieldSpec): z.ZodType {
  const schema = bareSchema(spec)
  return spec.legacy?.by === 'schema' ? schema.default(spec.legacy.value as never) : schema
}

function bareSchema(spec: FieldSpec): z.ZodType {
  switch (spec.kind) {
    case 'int':
    case 'number':
      return numberSchema(spec, spec.what)
    case 'optional-number':
      return numberSchema(spec, spec.what).nullable()
    case 'number-list':
    case 'int-list': {
      const items = spec.items ?? { max: 16 }
      let list = z
        .array(numberSchema(spec, `each of the ${spec.what}`), {
          error: () => `${spec.what} must be a list of numbers`,
        })
        .max(items.max, { error: () => `${spec.what} allow at most ${items.max} entries` })
      if (items.min !== undefined) {
        const min = items.min
        list = list.min(min, { error: () => `${spec.what} need at least ${min} entries` })
      }
      return list
    }
    case 'select': {
      const options = (spec.options ?? []) as unknown as readonly [string, ...string[]]
      return z.enum(options, { error: () => `unknown ${spec.what}; expected one of ${options.join(', ')}` })
    }
    case 'text':
      return z
        .string({ error: () => `${spec.what} must be text` })
        .min(1, { error: () => `${spec.what} must not be empty` })
  }
}

/**
 * The schemas of the registry's fields in registry order, each field's own (`own`) where it has one, else
 * read from its entry. The shape is typed from the registry's entries (ValuesOf), the own schemas' types
 * taking precedence.
 */
export function registryShape<T extends readonly FieldSpec[], Own extends Record<string, z.ZodType>>(
  specs: T,
  own: Own,
): { [K in Exclude<keyof ValuesOf<T>, keyof Own>]: z.ZodType<ValuesOf<T>[K]> } & Own {
  for (const key of Object.keys(own))
    if (!specs.some((s) => s.key === key)) throw new Error(`schema for ${key}, which the registry lacks`)
  return Object.fromEntries(specs.map((s) => [s.key, own[s.key] ?? fieldSchema(s)])) as never
}
