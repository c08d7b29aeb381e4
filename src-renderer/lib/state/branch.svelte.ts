/**
 * The Live view's branch form: a new run from this one's checkpoint, with the parent's config and only the
 * branchable fields editable, started with `runs.branch`.
 */
import type { ApiClient } from '@shared/ipc/api'
import type { Run } from '@shared/store/types'
import { ApiCallError, callOn } from '../api'
import { errorText } from '../error-text'
import { BRANCHABLE_KEYS, FIELDS, type FieldKey } from '../form-fields'
import { ConfigFormState } from './new-run.svelte'

/** Fields a branch keeps from its parent: shown, not editable. */
export const BRANCH_LOCKED: readonly FieldKey[] = FIELDS.filter((f) => !f.branchable).map((f) => f.key)

/** The branch form: the parent's config with only branchable fields editable → `runs.branch`. */
export class BranchState {
  readonly form: ConfigFormState
  submitting = $state(false)
  error = $state<string | null>(null)

  constructor(
    private readonly api: ApiClient,
    readonly parent: Run,
    options: { debounceMs?: number } = {},
  ) {
    this.form = new ConfigFormState(api, {
      initial: (parent.config ?? {}) as Record<string, unknown>,
      locked: BRANCH_LOCKED,
      debounceMs: options.debounceMs,
    })
  }

  /** The branchable fields whose value differs from the parent's. */
  overrides(): Record<string, unknown> {
    const parent = (this.parent.config ?? {}) as Record<string, unknown>
    const config = this.form.config()
    const out: Record<string, unknown> = {}
    for (const key of BRANCHABLE_KEYS) {
      if (JSON.stringify(config[key] ?? null) !== JSON.stringify(parent[key] ?? null)) out[key] = config[key]
    }
    return out
  }

  /** Starts the branch; its id, or null when refused (the problems show next to their fields). */
  async submit(): Promise<string | null> {
    if (this.submitting) return null
    this.error = null
    this.submitting = true
    try {
      if (!(await this.form.validateNow()) || this.form.dirty) return null
      const run = await callOn(this.api, 'runs.branch', { id: this.parent.id, overrides: this.overrides() })
      return run.id
    } catch (error) {
      if (error instanceof ApiCallError && error.error.problems) this.form.showProblems(error.error.problems)
      this.error = errorText(error)
      return null
    } finally {
      this.submitting = false
    }
  }

  dispose(): void {
    this.form.dispose()
  }
}
