/**
 * A run's name: timestamp ids tell runs apart only by when they started, so every run also has a short
 * name saying what it is, e.g. "cd N6 mu0 lr2e-3 ddim seed3". The default is derived from the config the
 * run trains with: the algorithm and the three settings people sweep most (N, mu, lr) always, then every
 * other training setting that differs from the defaults for that kind of run. The user may rename a run;
 * a name is stored when the run is created, and runs stored before names existed get the derived one on read.
 */
import { DISTILL_DEFAULTS, TEACHER_DEFAULTS } from './config/defaults'
import { DISTILL_FIELDS } from './config/distill-fields'
import { specsByKey, type FieldSpec } from './config/registry'
import { TEACHER_FIELDS } from './config/teacher-fields'
import { kindDefaults, parseDistillConfig } from './config/validate'
import { RUN_NAME_MAX } from './run-name-check'

export { RUN_NAME_MAX, checkRunName } from './run-name-check'

/** Settings that do not change what a run learns (bookkeeping, where it runs, how often it is measured). */
const NOT_IN_NAME = new Set([
  'dataset',
  'teacher',
  'backend',
  'evalEvery',
  'sampleEvery',
  'checkpointEvery',
  'evalSamples',
  'multistepSigmas',
])

/** Shown in every distillation's name, whatever their value: what the CD paper and the walkthrough sweep. */
const ALWAYS = ['numScales', 'targetEma', 'lr'] as const

/** Compact tokens where the registry's symbol is long or missing (a select shows its value alone). */
const TOKEN: Readonly<Record<string, string>> = {
  numScales: 'N',
  targetEma: 'mu',
  sigmaMax: 'smax',
  sigmaData: 'sd',
  teacherSubsteps: 'sub',
  topPairShare: 'top',
  topPairReplay: 'replay',
  evalEma: 'ema',
  warmupSteps: 'warm',
  batch: 'b',
  huberC: 'c',
  numSteps: 'T',
  hiddenWidth: 'w',
  hiddenDepth: 'depth',
  timeEmbeddingDim: 'temb',
  unetChannels: 'ch',
  unetMultipliers: 'mult',
  unetResBlocks: 'res',
  unetGroups: 'groups',
  fourierFeatures: 'ff',
  fourierMaxFrequency: 'ffmax',
  stepPower: 'kpow',
  betaStart: 'b0',
  betaEnd: 'b1',
}

/** Select values that would be ambiguous alone ("uniform" is a grid and a weighting). */
const SELECT_PREFIX: Readonly<Record<string, string>> = {
  weighting: 'lambda-',
  grid: 'grid-',
  betaSchedule: 'beta-',
  topPairTarget: 'top-',
}

/** 2e-3, 0.999, 80, 3000, 1.5e5: short and exact enough to tell settings apart. */
export function compactValue(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const a = Math.abs(value)
  if (Number.isInteger(value) && a < 1e5) return String(value)
  if (a < 0.01 || a >= 1e5) {
    const [mant = '', exp = ''] = value.toExponential(2).split('e')
    return `${mant.replace(/\.?0+$/, '')}e${exp.replace('+', '')}`
  }
  return String(Number(value.toPrecision(3)))
}

function valueText(value: unknown): string {
  if (value === null) return 'auto'
  if (typeof value === 'number') return compactValue(value)
  if (Array.isArray(value)) return value.map(valueText).join(',')
  return String(value)
}

function token(spec: FieldSpec | undefined, key: string, value: unknown): string {
  if (spec?.kind === 'select') return `${SELECT_PREFIX[key] ?? ''}${valueText(value)}`
  return `${TOKEN[key] ?? spec?.symbol ?? key}${valueText(value)}`
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

const DISTILL_BY_KEY = specsByKey(DISTILL_FIELDS)

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

/** Defaults by kind of run (data, algorithm, length), parsed once each. */
const DEFAULTS_BY_KIND = new Map<string, Record<string, unknown>>()

/**
 * The defaults a run of this data, algorithm and length would get, as the config parser fills them (the
 * warm-up of a short run is a tenth of it): what the run's own values are compared with.
 */
function distillDefaultsLike(values: Record<string, unknown>): Record<string, unknown> {
  const basis = { dataset: values.dataset, algorithm: values.algorithm, steps: values.steps }
  // A history has few kinds of run: parsing once per kind keeps naming thousands of older runs on read cheap.
  const key = JSON.stringify(basis)
  let defaults = DEFAULTS_BY_KIND.get(key)
  if (defaults === undefined) {
    if (DEFAULTS_BY_KIND.size >= 1000) DEFAULTS_BY_KIND.clear()
    defaults = parseDefaults(basis, values)
    DEFAULTS_BY_KIND.set(key, defaults)
  }
  return defaults
}

function parseDefaults(basis: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  try {
    // Its length itself is compared with the default length: a short run says so in its name.
    return { ...parseDistillConfig(basis), steps: DISTILL_DEFAULTS.steps } as Record<string, unknown>
  } catch {
    // A stored config this version would not accept: compare with the defaults it knows.
    return { ...DISTILL_DEFAULTS, ...kindDefaults(values.dataset, values.algorithm) }
  }
}

/** Cut at a token boundary so a long name stays readable ("... +3"). */
function cut(tokens: string[]): string {
  let name = tokens.join(' ')
  if (name.length <= RUN_NAME_MAX) return name
  for (let n = tokens.length - 1; n > 0; n--) {
    name = `${tokens.slice(0, n).join(' ')} +${tokens.length - n}`
    if (name.length <= RUN_NAME_MAX) return name
  }
  return name.slice(0, RUN_NAME_MAX)
}

/**
 * The derived name of a run of `kind` from the config it trains with (its effective config for a
 * distillation, so iCT shows mu0 whatever was asked). A config that is not an object names the kind alone.
 */
export function defaultRunName(kind: string, config: unknown): string {
  const values = asRecord(config)
  if (kind === 'teacher') {
    const tokens = ['teacher', ...(values && typeof values.model === 'string' ? [values.model] : [])]
    if (values === null) return tokens.join(' ')
    const defaults = TEACHER_DEFAULTS as unknown as Record<string, unknown>
    for (const spec of TEACHER_FIELDS) {
      if (NOT_IN_NAME.has(spec.key) || spec.key === 'model' || !(spec.key in values)) continue
      if (!same(values[spec.key], defaults[spec.key])) tokens.push(token(spec, spec.key, values[spec.key]))
    }
    return cut(tokens)
  }
  if (values === null) return kind
  const defaults = distillDefaultsLike(values)
  const tokens = [typeof values.algorithm === 'string' ? values.algorithm : kind]
  for (const key of ALWAYS) if (key in values) tokens.push(token(DISTILL_BY_KEY.get(key), key, values[key]))
  for (const spec of DISTILL_FIELDS) {
    const key = spec.key
    if (key === 'algorithm' || NOT_IN_NAME.has(key) || (ALWAYS as readonly string[]).includes(key)) continue
    if (!(key in values) || same(values[key], defaults[key])) continue
    tokens.push(token(spec, key, values[key]))
  }
  return cut(tokens)
}
