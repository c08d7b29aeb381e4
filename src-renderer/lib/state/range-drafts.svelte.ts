/**
 * The texts typed in the Runs view's range filters. They live apart from the filters: a half-typed or bad
 * bound ("1e", "abc") stays in its box with its error while the filter keeps the column's last valid range.
 */
import { parseBound, type Range, type RangeColumn } from '../runs-table'

export class RangeDrafts {
  /** By `column.min` / `column.max`. */
  text = $state<Record<string, string>>({})
  /** By column: why its bounds do not parse. */
  errors = $state<Record<string, string>>({})

  /** Records one bound's text; returns the column's range, or null while either of its bounds is invalid. */
  input(key: RangeColumn, bound: 'min' | 'max', text: string): Range | null {
    this.text[`${key}.${bound}`] = text
    const min = parseBound(this.text[`${key}.min`] ?? '')
    const max = parseBound(this.text[`${key}.max`] ?? '')
    const error = min.error ?? max.error
    if (error) {
      this.errors[key] = error
      return null
    }
    delete this.errors[key]
    return { min: min.value, max: max.value }
  }

  /** Whether any box holds text (a bad bound is not a filter yet, but Clear filters still has work to do). */
  get typed(): boolean {
    return Object.keys(this.text).length > 0
  }

  clear(): void {
    this.text = {}
    this.errors = {}
  }
}
