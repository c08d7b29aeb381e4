/**
 * The fields of one distillation config being edited and their validation as you type (debounced
 * `config.validate`, whose problems are mapped to their fields). Used by the New run form and the branch
 * form; the backend's validation is the authority.
 */
import type { ApiClient } from '@shared/ipc/api'
import type { DistillConfig } from '@shared/config/schemas'
import type { FieldProblem } from '@shared/config/validate'
import { callOn } from '../api'
import { errorText } from '../error-text'
import { FIELDS, configOf, parseNumber, problemField, textsOf, type FieldKey } from '../form-fields'

export const VALIDATE_DEBOUNCE_MS = 250

export interface ConfigFormOptions {
  /** The config the texts start from (over DISTILL_DEFAULTS); fields unknown to the form are kept as they are. */
  initial?: Record<string, unknown>
  /** Fields shown but not editable (a branch keeps its parent's). */
  locked?: readonly FieldKey[]
  debounceMs?: number
}

/** The fields of one distillation config being edited, and their validation. */
export class ConfigFormState {
  texts = $state<Record<string, string>>({})
  /** Problems of the last validation, for the texts validated then. */
  problems = $state.raw<FieldProblem[]>([])
  /** The full config with defaults filled in, from the last validation that passed. */
  resolved = $state.raw<DistillConfig | null>(null)
  /** True while the texts have changed since the last validation answer. */
  dirty = $state(true)
  validating = $state(false)
  /** The validation call itself failed (transport, …): launch stays off. */
  validationError = $state<string | null>(null)
  readonly locked: ReadonlySet<string>

  /** Fields of the initial config the form does not show (kept so a run's full config round-trips). */
  private extra: Record<string, unknown> = {}
  private timer: ReturnType<typeof setTimeout> | null = null
  private seq = 0
  private pending: Promise<boolean> | null = null
  private pendingSeq = -1
  private readonly debounceMs: number

  constructor(
    private readonly api: ApiClient,
    options: ConfigFormOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? VALIDATE_DEBOUNCE_MS
    this.locked = new Set(options.locked ?? [])
    this.reset(options.initial ?? {})
  }

  /** Problems by field (unknown fields and whole-config problems under `(config)`). */
  get problemsByField(): Record<string, FieldProblem[]> {
    const out: Record<string, FieldProblem[]> = {}
    for (const p of this.problems) (out[problemField(p.field)] ??= []).push(p)
    return out
  }

  get valid(): boolean {
    return !this.dirty && this.validationError === null && this.problems.length === 0
  }

  /** Launch is offered unless the texts are known to be invalid (launch re-validates anyway). */
  get blocked(): boolean {
    return this.problems.length > 0 || this.validationError !== null
  }

  /** Replaces every text with the values of `config` (over the defaults) and validates. */
  reset(config: Record<string, unknown>): void {
    const known = new Set<string>(FIELDS.map((f) => f.key))
    this.extra = Object.fromEntries(Object.entries(config).filter(([k]) => !known.has(k)))
    this.texts = textsOf(config)
    this.changed()
  }

  set(key: string, text: string): void {
    if (this.locked.has(key) || this.texts[key] === text) return
    this.texts[key] = text
    this.changed()
  }

  /** The config as typed (numbers where the text is one; the text otherwise, for validation to name). */
  config(): Record<string, unknown> {
    return { ...this.extra, ...configOf(this.texts) }
  }

  /** A number field's current value, or null when its text is not a number. */
  numberOf(key: FieldKey): number | null {
    return parseNumber(this.texts[key] ?? '')
  }

  private changed(): void {
    this.dirty = true
    this.seq++
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.validateNow()
    }, this.debounceMs)
  }

  /**
   * Validates the current texts now; true when they are valid. An answer for texts that changed meanwhile
   * is dropped (false): the newer texts have their own validation scheduled.
   */
  validateNow(): Promise<boolean> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    const seq = this.seq
    if (this.pending && this.pendingSeq === seq) return this.pending
    if (!this.dirty) return Promise.resolve(this.valid)
    this.validating = true
    const run = (async () => {
      try {
        const result = await callOn(this.api, 'config.validate', { kind: 'distill', config: this.config() })
        if (seq !== this.seq) return false
        this.problems = result.problems
        this.resolved = result.valid ? (result.config as DistillConfig) : null
        this.validationError = null
      } catch (error) {
        if (seq !== this.seq) return false
        this.validationError = `could not validate: ${errorText(error)}`
        this.resolved = null
      }
      this.dirty = false
      return this.valid
    })()
    this.pending = run
    this.pendingSeq = seq
    void run.finally(() => {
      if (this.pending === run) {
        this.pending = null
        this.validating = false
      }
    })
    return run
  }

  /** Problems from a failed start (INVALID_CONFIG) shown like validation problems. */
  showProblems(problems: FieldProblem[]): void {
    this.problems = problems
    this.resolved = null
    this.dirty = false
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.seq++
  }
}
