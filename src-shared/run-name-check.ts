/**
 * What a run's name may be (#19), apart from how the default one is derived (run-name.ts), so the API's
 * payload schema can check it without loading the config registry.
 */

/** A stored name's longest length; longer names are refused, derived ones cut. */
export const RUN_NAME_MAX = 80

/**
 * A name as the user typed it, checked: trimmed, 1 to RUN_NAME_MAX characters, no control characters.
 * An empty name means "back to the derived one" (null). Throws an Error naming the value otherwise.
 */
export function checkRunName(name: string): string | null {
  const clean = name.trim()
  if (clean === '') return null
  if (clean.length > RUN_NAME_MAX)
    throw new Error(`name must be at most ${RUN_NAME_MAX} characters (got ${clean.length}: "${clean.slice(0, 20)}…")`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/u.test(clean)) throw new Error(`name ${JSON.stringify(clean)} has control characters`)
  return clean
}
