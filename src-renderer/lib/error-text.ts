/**
 * The one way the renderer turns a failure into text for the user. A refused API call (ApiCallError) says its
 * message; lists and panels that act on several runs, teachers or datasets also say which entry it is about,
 * in words ("not a checkpoint — check the file path"), never the API's field name; the forms show field
 * problems beside their fields, so there the message stands alone.
 */
import { ApiCallError } from './api'

export interface ErrorTextOptions {
  /** Say which entry the refused call is about, as in `not found — check the id`. */
  field?: boolean
}

/** The API's field names as a user would say them. */
const FIELD_WORDS: Record<string, string> = {
  path: 'file path',
  paths: 'file paths',
  runId: 'run',
  payload: 'request',
  method: 'request',
  evalSamples: 'evaluation samples',
}

/** A field name in words: the known ones as said, others split at capitals and dots (`config.numSteps` → `num steps`). */
export function fieldWords(field: string): string {
  const last = field.split('.').filter(Boolean).pop() ?? field
  return (
    FIELD_WORDS[field] ??
    FIELD_WORDS[last] ??
    last
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/[_-]+/g, ' ')
      .toLowerCase()
  )
}

export function errorText(error: unknown, options: ErrorTextOptions = {}): string {
  if (error instanceof ApiCallError) {
    const { message, field } = error.error
    if (!options.field || !field) return message
    const words = fieldWords(field)
    // A message that already names its subject needs no pointer to it.
    return message.toLowerCase().includes(words) ? message : `${message} — check the ${words}`
  }
  return error instanceof Error ? error.message : String(error)
}
