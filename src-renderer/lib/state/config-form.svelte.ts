/**
 * The fields of one distillation config being edited and their validation as you type (FormValidation:
 * debounced `config.validate`, whose problems are mapped to their fields). Used by the New run form and the
 * branch form; the backend's validation is the authority.
 */
import type { ApiClient } from '@shared/ipc/api'
import type { DistillConfig } from '@shared/config/schemas'
import { FIELDS, configOf, parseNumber, textsOf, type FieldKey } from '../form-fields'
import { FormValidation, type FormDraft } from './form-validation.svelte'

export const VALIDATE_DEBOUNCE_MS = 250

export interface ConfigFormOptions {
  /** The config the texts start from (over DISTILL_DEFAULTS); fields unknown to the form are kept as they are. */
  initial?: Record<string, unknown>
  /** Fields shown but not editable (a branch keeps its parent's). */
  locked?: readonly FieldKey[]
  debounceMs?: number
}

/** The fields of one distillation config being edited, and their validation. */
export class ConfigFormState extends FormValidation<DistillConfig> {
  texts = $state<Record<string, string>>({})
  readonly locked: ReadonlySet<string>

  /** Fields of the initial config the form does not show (kept so a run's full config round-trips). */
  private extra: Record<string, unknown> = {}

  constructor(api: ApiClient, options: ConfigFormOptions = {}) {
    super(api, 'distill', FIELDS, options.debounceMs ?? VALIDATE_DEBOUNCE_MS)
    this.locked = new Set(options.locked ?? [])
    this.reset(options.initial ?? {})
  }

  /** Replaces every text with the values of `config` (over the defaults) and validates. */
  reset(config: Record<string, unknown>): void {
    const known = new Set<string>(FIELDS.map((f) => f.key))
    this.extra = Object.fromEntries(Object.entries(config).filter(([k]) => !known.has(k)))
    this.texts = textsOf(config)
    this.validateSoon()
  }

  set(key: string, text: string): void {
    if (this.locked.has(key) || this.texts[key] === text) return
    this.texts[key] = text
    this.validateSoon()
  }

  /** The config as typed (numbers where the text is one; the text otherwise, for validation to name). */
  config(): Record<string, unknown> {
    return { ...this.extra, ...configOf(this.texts) }
  }

  /** A number field's current value, or null when its text is not a number. */
  numberOf(key: FieldKey): number | null {
    return parseNumber(this.texts[key] ?? '')
  }

  protected draft(): FormDraft {
    return { config: this.config(), problems: [] }
  }
}
