/**
 * The Host-header check of `clab serve`. A page on another site can make the browser resolve its own
 * name to 127.0.0.1 (DNS rebinding) and then talk to the lab as a same-origin page; its requests still
 * carry that name in `Host`. So requests and upgrades are answered only when `Host` names this server:
 * 127.0.0.1, localhost or [::1] (and the bound address) with the bound port. Bound to a wildcard address
 * with --allow-remote, any IP literal is accepted too (an IP literal cannot be rebound) and this machine's
 * host name.
 */
import { hostname } from 'node:os'
import { isIP } from 'node:net'

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]']

/** `name` as it appears in a Host header: IPv6 in brackets, lower case. */
function hostForm(name: string): string {
  const bare = name.replace(/^\[|\]$/g, '').toLowerCase()
  return isIP(bare) === 6 ? `[${bare}]` : bare
}

/** `host[:port]` → its parts (port 80 when absent), or null when it is not a host and port. */
function parseHost(header: string): { name: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header.trim())
  if (!match) return null
  return { name: hostForm(match[1] as string), port: match[2] === undefined ? 80 : Number(match[2]) }
}

/**
 * A check for the `Host` header of requests to a server bound to `boundHost`:`port`: null when it names this
 * server, else the text of the refusal.
 */
export function hostChecker(boundHost: string, port: number): (header: string | undefined) => string | null {
  const bound = hostForm(boundHost)
  const wildcard = bound === '0.0.0.0' || bound === '[::]' || /^\[(0*:){2,7}0*\]$/.test(bound)
  const names = new Set([...LOOPBACK_NAMES, ...(wildcard ? [hostForm(hostname())] : [bound])])
  const expected = [...names].map((n) => `${n}:${port}`)
  return (header) => {
    if (header === undefined || header === '') return `a Host header is required (one of ${expected.join(', ')})`
    const given = parseHost(header)
    const known =
      given !== null && (names.has(given.name) || (wildcard && isIP(given.name.replace(/^\[|\]$/g, '')) !== 0))
    if (given !== null && known && given.port === port) return null
    return `this lab answers only to Host ${expected.join(', ')}${wildcard ? ' or an IP address' : ''}, not ${JSON.stringify(header.slice(0, 200))} (a guard against DNS rebinding); open the URL that clab serve printed`
  }
}
