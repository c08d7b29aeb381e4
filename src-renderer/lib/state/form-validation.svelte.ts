/**
 * The validation of a form being typed, shared by the distillation forms (New run, Branch) and the
 * train-a-teacher form: debounced `config.validate` (the backend is the authority), only the answer for the
 * latest texts shown, its problems mapped to the form's fields, and whether launch is blocked.
 */
import type { ApiClient } from '@shared/ipc/api'
import type { FieldProblem } from '@shared/config/validate'
import { callOn } from '../api'
import { errorText } from '../error-text'

/** The bucket of problems not tied to a field of the form (unknown fields, whole-config problems). */
export const OTHER_PROBLEMS = '(config)'

/** The form as a config, and the problems found without asking the backend (an empty number field, …). */
export interface FormDraft {
  config: Record<string, unknown>
  problems: FieldProblem[]
}

export abstract class FormValidation<C> {
  /** Problems of the last validation, for the texts validated then. */
  problems = $state.raw<FieldProblem[]>([])
  /** The full config with defaults filled in, from the last validation that passed. */
  resolved = $state.raw<C | null>(null)
  /** True while the texts have changed since the last validation answer. */
  dirty = $state(true)
  validating = $state(false)
  /** The validation call itself failed (transport, …): launch stays off. */
  validationError = $state<string | null>(null)

  private readonly fieldKeys: ReadonlySet<string>
  private timer: ReturnType<typeof setTimeout> | null = null
  private seq = 0
  private pending: Promise<boolean> | null = null
  private pendingSeq = -1

  protected constructor(
    protected readonly api: ApiClient,
    private readonly kind: 'distill' | 'teacher',
    fields: readonly { key: string }[],
    private readonly debounceMs: number,
  ) {
    this.fieldKeys = new Set(fields.map((f) => f.key))
  }

  /** The form as it is typed now. */
  protected abstract draft(): FormDraft

  /** The form field a problem belongs under: its top-level key when the form shows it, else OTHER_PROBLEMS. */
  fieldOf(field: string): string {
    const top = field.split('.')[0] ?? field
    return this.fieldKeys.has(top) ? top : OTHER_PROBLEMS
  }

  /** Problems by field (unknown fields and whole-config problems under OTHER_PROBLEMS). */
  get problemsByField(): Record<string, FieldProblem[]> {
    const out: Record<string, FieldProblem[]> = {}
    for (const p of this.problems) (out[this.fieldOf(p.field)] ??= []).push(p)
    return out
  }

  get valid(): boolean {
    return !this.dirty && this.validationError === null && this.problems.length === 0
  }

  /** Launch is offered unless the texts are known to be invalid (launch re-validates anyway). */
  get blocked(): boolean {
    return this.problems.length > 0 || this.validationError !== null
  }

  /** The texts changed: validate them once typing pauses. */
  validateSoon(): void {
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
      const { config, problems: local } = this.draft()
      try {
        const result = await callOn(this.api, 'config.validate', { kind: this.kind, config })
        if (seq !== this.seq) return false
        // A local problem says more than the backend's for the same field (the text it never saw).
        const problems = [...local, ...result.problems.filter((p) => !local.some((l) => l.field === p.field))]
        this.problems = problems
        this.resolved = problems.length === 0 && result.valid ? (result.config as C) : null
        this.validationError = null
      } catch (error) {
        if (seq !== this.seq) return false
        this.problems = local
        this.validationError = `Could not validate: ${errorText(error, { field: true })}`
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
    this.validationError = null
    this.dirty = false
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.seq++
  }
}
