/**
 * Malformed API payloads, generated from each method's zod schema (so a new method or field is covered
 * without touching this file): one field of a valid base payload mutated into a value that must be
 * refused, plus whole-payload garbage, unknown and missing fields. Deterministic: a seeded Rng picks the
 * random ones. Every case records the path it broke, which the answer's `field` must name.
 *
 * "Must be refused" is by construction, never by asking the schema under test: a wrong type, a number
 * past a declared bound, a string past a declared length, and for names the handlers look up (ids,
 * presets, paths, a config's teacher) values that name nothing the lab may touch.
 */
import type { z } from 'zod'
import { Rng } from '@shared/rng'

export interface FuzzCase {
  label: string
  payload: unknown
  /** The path broken, e.g. ['config', 'batch']; [] is the payload as a whole. */
  path: string[]
  /** How many leading segments of `path` are the config object itself (INVALID_CONFIG names config-relative fields). */
  configDepth?: number
}

/** What the generator needs to know about the lab it fuzzes. */
export interface FuzzContext {
  /** Valid values for fields by name (a real run id, …), per method where they differ. */
  base: (method: string, field: string) => unknown
  /** The config schema behind a config-object field (`config`, `base`, `overrides`, `grid`), if any. */
  configSchema: (method: string, field: string) => z.ZodType | undefined
  /** Strings a schema accepts that the handler must refuse for this field (paths out, unknown ids, …). */
  semantic: (method: string, field: string) => unknown[]
}

export const MEGABYTE_STRING = 'A'.repeat(1_000_000)
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']

type Def = {
  type: string
  innerType?: z.ZodType
  in?: z.ZodType
  element?: z.ZodType
  valueType?: z.ZodType
  options?: z.ZodType[]
  entries?: Record<string, string>
  shape?: Record<string, z.ZodType>
  checks?: Array<{ _zod: { def: Check } }>
}
type Check = { check: string; value?: number; inclusive?: boolean; minimum?: number; maximum?: number; format?: string }

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def
const checksOf = (schema: z.ZodType): Check[] => (defOf(schema).checks ?? []).map((c) => c._zod.def)

/** The schema under optional/default/nullable wrappers, and whether undefined or null are accepted. */
export function unwrap(schema: z.ZodType): { node: z.ZodType; optional: boolean; nullable: boolean } {
  let node = schema
  let optional = false
  let nullable = false
  for (;;) {
    const def = defOf(node)
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') {
      optional = true
      node = def.innerType as z.ZodType
    } else if (def.type === 'nullable') {
      nullable = true
      node = def.innerType as z.ZodType
    } else if (def.type === 'pipe') {
      node = def.in as z.ZodType
    } else return { node, optional, nullable }
  }
}

export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const { node } = unwrap(schema)
  return defOf(node).type === 'object' ? defOf(node).shape : undefined
}

function bounds(schema: z.ZodType) {
  const out: {
    min?: number
    minInclusive?: boolean
    max?: number
    maxInclusive?: boolean
    int: boolean
    minLength?: number
    maxLength?: number
  } = { int: false }
  for (const c of checksOf(schema)) {
    if (c.check === 'greater_than') Object.assign(out, { min: c.value, minInclusive: c.inclusive })
    if (c.check === 'less_than') Object.assign(out, { max: c.value, maxInclusive: c.inclusive })
    if (c.check === 'number_format' && /int/.test(c.format ?? '')) out.int = true
    if (c.check === 'min_length') out.minLength = c.minimum
    if (c.check === 'max_length') out.maxLength = c.maximum
  }
  return out
}

/** A value the node accepts (for base payloads and for padding arrays). */
export function validValue(schema: z.ZodType): unknown {
  const { node } = unwrap(schema)
  const def = defOf(node)
  const b = bounds(node)
  switch (def.type) {
    case 'string':
      return 'x'.repeat(Math.max(1, b.minLength ?? 1))
    case 'number':
      return b.min === undefined ? 1 : b.minInclusive ? b.min : b.min + 1
    case 'boolean':
      return true
    case 'enum':
      return Object.values(def.entries ?? {})[0]
    case 'array':
      return Array.from({ length: Math.max(1, b.minLength ?? 1) }, () => validValue(def.element as z.ZodType))
    case 'union':
      return validValue((def.options as z.ZodType[])[0] as z.ZodType)
    case 'custom':
      return new Uint8Array([1, 2, 3, 4])
    default:
      return {}
  }
}

/** A rough "is this value of the node's type" (not its bounds), to keep wrong-type values wrong. */
function sameType(value: unknown, schema: z.ZodType): boolean {
  const { node, nullable } = unwrap(schema)
  if (value === null) return nullable
  const def = defOf(node)
  switch (def.type) {
    case 'string':
    case 'enum':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'array':
      return Array.isArray(value)
    case 'custom':
      return value instanceof Uint8Array
    case 'union':
      return (def.options as z.ZodType[]).some((o) => sameType(value, o))
    case 'unknown':
    case 'any':
      return true
    default:
      return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)
  }
}

/** An object whose own keys are the prototype names (`__proto__` as a plain own key, as JSON.parse makes it). */
export function prototypeKeyed(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of PROTOTYPE_NAMES)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  return out
}

export function withKey(object: object, key: string, value: unknown): Record<string, unknown> {
  const out = { ...object } as Record<string, unknown>
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  return out
}

function nested(depth: number, leaf: unknown): unknown {
  let v = leaf
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
  return v
}

const GARBAGE: unknown[] = [
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  NaN,
  Infinity,
  -Infinity,
  true,
  false,
  null,
  'x',
  '',
  '1',
  'null',
  {},
  [],
  [1, 'x'],
  [[[]]],
  { a: { b: { c: [{}] } } },
  { $num: 'NaN' },
  { length: 1, 0: 'x' },
  new Uint8Array([0, 1]),
  nested(20, 'deep'),
]

/** Values of the wrong type for the node. */
function wrongTypes(schema: z.ZodType): unknown[] {
  return [...GARBAGE, prototypeKeyed(1)].filter((v) => !sameType(v, schema))
}

interface Bad {
  value: unknown
  sub: string[]
}

/** Values the node refuses, each with the sub-path below the field it breaks. */
export function invalidValues(schema: z.ZodType): Bad[] {
  const { node } = unwrap(schema)
  const def = defOf(node)
  const b = bounds(node)
  const at = (value: unknown, sub: string[] = []): Bad => ({ value, sub })
  const out: Bad[] = wrongTypes(schema).map((v) => at(v))
  switch (def.type) {
    case 'string':
      if ((b.minLength ?? 0) >= 1) out.push(at(''))
      if (b.maxLength !== undefined) out.push(at('a'.repeat(b.maxLength + 1)))
      if (b.maxLength !== undefined && b.maxLength < MEGABYTE_STRING.length) out.push(at(MEGABYTE_STRING))
      break
    case 'number':
      if (b.min !== undefined) out.push(at(b.minInclusive ? b.min - 1 : b.min), at(-1e308))
      if (b.max !== undefined)
        out.push(at(b.maxInclusive ? b.max + 1 : b.max), at(1e308), at(Number.MAX_SAFE_INTEGER * 4))
      if (b.int) out.push(at((b.min ?? 0) + 0.5))
      break
    case 'enum': {
      const options = new Set(Object.values(def.entries ?? {}))
      for (const v of ['not-an-option', ...PROTOTYPE_NAMES, '', MEGABYTE_STRING]) if (!options.has(v)) out.push(at(v))
      break
    }
    case 'array': {
      const element = def.element as z.ZodType
      if ((b.minLength ?? 0) >= 1) out.push(at([]))
      if (b.maxLength !== undefined) out.push(at(Array.from({ length: b.maxLength + 1 }, () => validValue(element))))
      // The bad element first, so no valid-but-missing neighbour is refused before it.
      const pad = Array.from({ length: Math.max(0, (b.minLength ?? 1) - 1) }, () => validValue(element))
      for (const bad of invalidValues(element)) out.push(at([bad.value, ...pad], ['0', ...bad.sub]))
      break
    }
    case 'union':
      // A value wrong for every option: each option's bad values that are also of no other option's type.
      for (const option of def.options as z.ZodType[]) {
        const others = (def.options as z.ZodType[]).filter((o) => o !== option)
        for (const bad of invalidValues(option)) if (!others.some((o) => sameType(bad.value, o))) out.push(bad)
      }
      break
  }
  return dedupe(out)
}

function dedupe(values: Bad[]): Bad[] {
  const seen = new Set<unknown>()
  return values.filter((v) => {
    const key =
      typeof v.value === 'object' && v.value !== null
        ? v.value
        : `${typeof v.value}:${String(v.value)}:${v.sub.join('.')}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Mutations inside a config object: each config field made invalid, unknown and prototype-named fields. */
function configMutations(config: z.ZodType, semantic: (field: string) => unknown[], gridOf?: z.ZodType): Bad[] {
  const shape = objectShape(config) ?? {}
  const out: Bad[] = []
  for (const [field, schema] of Object.entries(shape)) {
    if (gridOf) {
      // A sweep axis is a list of numbers: only numbers the config field refuses (out of bounds, fractions).
      if (defOf(unwrap(schema).node).type !== 'number') continue
      for (const bad of invalidValues(schema))
        if (typeof bad.value === 'number' && Number.isFinite(bad.value))
          out.push({ value: { [field]: [bad.value] }, sub: [field] })
      continue
    }
    for (const bad of invalidValues(schema)) out.push({ value: { [field]: bad.value }, sub: [field, ...bad.sub] })
    for (const value of semantic(field)) out.push({ value: { [field]: value }, sub: [field] })
  }
  const filler = gridOf ? [1] : 1
  for (const key of [...PROTOTYPE_NAMES, 'notAField', 'isAdmin'])
    out.push({ value: withKey({}, key, filler), sub: [key] })
  return out
}

/** Every generated case for one method: at least `minimum`, the enumerated ones first, then seeded random ones. */
export function fuzzCases(method: string, schema: z.ZodType, ctx: FuzzContext, minimum = 200, seed = 1514): FuzzCase[] {
  const rng = Rng.fromSeed(seed, hash(method))
  const { optional: payloadOptional } = unwrap(schema)
  const shape = objectShape(schema) ?? {}
  const fields = Object.entries(shape)
  const required = fields.filter(([, s]) => !unwrap(s).optional).map(([k]) => k)
  // Required fields, and optional ones the context gives a value (a chunk's `to` goes with its `offset`).
  const base: Record<string, unknown> = {}
  for (const [key, fieldSchema] of fields) {
    const value = ctx.base(method, key)
    if (value !== undefined || required.includes(key)) base[key] = value ?? validValue(fieldSchema)
  }
  const cases: FuzzCase[] = []
  const push = (label: string, payload: unknown, path: string[], configDepth?: number) =>
    cases.push({ label, payload, path, ...(configDepth ? { configDepth } : {}) })

  // The payload as a whole.
  for (const v of [...GARBAGE, MEGABYTE_STRING, prototypeKeyed({}), nested(100, 1), [base]]) {
    if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      !(v instanceof Uint8Array) &&
      defOf(unwrap(schema).node).type === 'object'
    )
      continue
    push(`payload ${preview(v)}`, v, [])
  }
  if (!payloadOptional) push('payload undefined', undefined, [])
  // Unknown fields next to a valid base.
  for (const key of [...PROTOTYPE_NAMES, 'evil', 'isAdmin', 'payload', 'x'.repeat(64)]) {
    if (Object.hasOwn(shape, key)) continue
    push(`unknown field ${key.slice(0, 20)}`, withKey(base, key, rng.int(2) ? 1 : { nested: [null] }), [key])
  }
  // Each required field missing.
  for (const key of required) {
    const { [key]: _dropped, ...rest } = base
    push(`missing ${key}`, rest, [key])
  }
  // Each field broken, the others valid.
  for (const [field, fieldSchema] of fields) {
    const set = (value: unknown) => withKey(base, field, value)
    for (const bad of invalidValues(fieldSchema))
      push(`${field}${bad.sub.map((s) => `.${s}`).join('')} = ${preview(bad.value)}`, set(bad.value), [
        field,
        ...bad.sub,
      ])
    const config = ctx.configSchema(method, field)
    if (defOf(unwrap(fieldSchema).node).type === 'record') {
      push(
        `${field}.__proto__ own key`,
        set(withKey({}, '__proto__', config && field === 'grid' ? [1] : { steps: 1 })),
        [field, '__proto__'],
      )
    }
    if (config) {
      const isGrid =
        defOf(unwrap(fieldSchema).node).type === 'record' &&
        defOf(unwrap(defOf(unwrap(fieldSchema).node).valueType as z.ZodType).node).type === 'array'
      for (const bad of configMutations(
        config,
        (f) => ctx.semantic(method, `${field}.${f}`),
        isGrid ? fieldSchema : undefined,
      )) {
        push(
          `${field}.${bad.sub.join('.')} = ${preview(Object.values(bad.value as object)[0])}`,
          set(bad.value),
          [field, ...bad.sub],
          1,
        )
      }
    }
    for (const value of ctx.semantic(method, field)) {
      // An array field's semantic values go in as its only element.
      const isArray = defOf(unwrap(fieldSchema).node).type === 'array'
      push(
        `${field}${isArray ? '.0' : ''} = ${preview(value)}`,
        set(isArray ? [value] : value),
        isArray ? [field, '0'] : [field],
      )
    }
  }
  // Seeded random ones until there are enough: a random field gets random garbage of the wrong type.
  const breakable = fields.filter(([, s]) => !['unknown', 'any'].includes(defOf(unwrap(s).node).type))
  for (let i = 0; cases.length < minimum; i++) {
    if (breakable.length === 0 || rng.int(4) === 0) {
      const key = randomKey(rng)
      if (Object.hasOwn(shape, key)) continue
      push(`random unknown field #${i}`, withKey(base, key, randomGarbage(rng, 3)), [key])
      continue
    }
    const [field, fieldSchema] = breakable[rng.int(breakable.length)] as [string, z.ZodType]
    const value = randomGarbage(rng, 4)
    if (sameType(value, fieldSchema)) continue
    push(`${field} = random #${i} ${preview(value)}`, withKey(base, field, value), [field])
  }
  return cases
}

function randomKey(rng: Rng): string {
  // Not `$num` or `$bytes`: alone in an object, those keys are the wire's markers for NaN and bytes.
  const pool = [...PROTOTYPE_NAMES, 'a', 'id2', 'then', 'prototype', '..', '/etc/passwd', ' ', '\u0000', 'ключ']
  return rng.int(2) ? (pool[rng.int(pool.length)] as string) : randomString(rng, 1 + rng.int(40))
}

function randomString(rng: Rng, length: number): string {
  const alphabet = 'abcXYZ019 ./\\..-_%\u0000\u00e9\u4e2d\ud83d\ude00'
  let s = ''
  for (let i = 0; i < length; i++) s += alphabet[rng.int(alphabet.length)]
  return s
}

/** A random value: numbers of every size and kind, strings, nested objects and arrays with odd keys. */
export function randomGarbage(rng: Rng, depth: number): unknown {
  const kind = rng.int(depth > 0 ? 9 : 6)
  switch (kind) {
    case 0:
      return [NaN, Infinity, -Infinity, -0, 2 ** 53 + 1, -(2 ** 31)][rng.int(6)]
    case 1:
      return (rng.uniform() - 0.5) * 10 ** rng.int(300)
    case 2:
      return randomString(rng, rng.int(3) === 0 ? 10_000 + rng.int(50_000) : rng.int(30))
    case 3:
      return [true, false, null][rng.int(3)]
    case 4:
      return ['../'.repeat(1 + rng.int(8)) + 'etc/passwd', '/dev/zero', '/etc/passwd', 'C:\\Windows', '~/.bashrc'][
        rng.int(5)
      ]
    case 5:
      return PROTOTYPE_NAMES[rng.int(PROTOTYPE_NAMES.length)]
    case 6:
    case 7: {
      let out: Record<string, unknown> = {}
      for (let i = rng.int(5); i > 0; i--) out = withKey(out, randomKey(rng), randomGarbage(rng, depth - 1))
      return out
    }
    default:
      return Array.from({ length: rng.int(6) }, () => randomGarbage(rng, depth - 1))
  }
}

export function preview(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 40 ? `"${value.slice(0, 20)}…" (${value.length} chars)` : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value)
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  if (Array.isArray(value)) return `array(${value.length})`
  return `{${Object.keys(value as object)
    .slice(0, 4)
    .join(',')}}`
}

function hash(text: string): number {
  let h = 0
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0
  return h
}
