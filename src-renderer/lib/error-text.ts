/**
 * The one way the renderer turns a failure into text for the user. A refused API call (ApiCallError) says its
 * message; lists and panels that act on several runs, teachers or datasets also name the field it is about,
 * while the forms show field problems beside their fields, so there the message stands alone.
 */
import { ApiCallError } from './api'

export interface ErrorTextOptions {
  /** Append the refused call's field, as in `not found (id)`. */
  field?: boolean
}

export function errorText(error: unknown, options: ErrorTextOptions = {}): string {
  if (error instanceof ApiCallError)
    return options.field && error.error.field ? `${error.error.message} (${error.error.field})` : error.error.message
  return error instanceof Error ? error.message : String(error)
}
