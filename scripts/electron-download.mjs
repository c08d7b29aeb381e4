// The on-demand download of the Electron binary for `npm start`, with its failure told in one line: the
// download tool prints a raw stack ("TypeError: fetch failed\n    at ...") when the release host cannot be
// reached, which buried the message that follows it. Its output is kept and shown only as a short reason.

/**
 * The one line worth showing from a failed tool's output: the first "SomeError: message" line with the
 * last cause of the chain after it ("TypeError: fetch failed (getaddrinfo ENOTFOUND github.com)"), else the
 * first non-empty line that is not a stack frame; null when none.
 */
export function failureReason(output) {
  const lines = String(output ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^\[cause\]:\s*/, ''))
    .filter((l) => l !== '' && !/^at\s/.test(l) && !/^\^+$/.test(l) && !/^node:internal/.test(l))
  const errors = lines.filter((l) => /^[A-Za-z]*Error(?:\s*\[[^\]]*\])?:/.test(l))
  const cause = errors.length > 1 ? (errors[errors.length - 1] ?? '').replace(/^[A-Za-z]*Error:\s*/, '') : ''
  const line = errors[0] ? `${errors[0]}${cause ? ` (${cause})` : ''}` : (lines[0] ?? null)
  return line === null ? null : line.length > 200 ? `${line.slice(0, 197)}...` : line
}

/**
 * Runs the download (`spawn` is spawnSync's shape: returns { status, stdout, stderr }) with its output
 * captured; returns null on success, else the reason in one line.
 */
export function tryDownload(spawn, command, args, options) {
  const result = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  if (result.status === 0 && !result.error) return null
  return (
    failureReason(`${result.stderr ?? ''}\n${result.stdout ?? ''}`) ??
    (result.error ? String(result.error.message) : `exit status ${result.status}`)
  )
}
