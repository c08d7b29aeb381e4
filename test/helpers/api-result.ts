/** An API answer's value, or its error, each throwing with what came instead so a failing test says why. */
import type { ApiError, ApiResult } from '@shared/ipc/api'

export function value<T>(result: ApiResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`)
  return result.value
}

export function error(result: ApiResult<unknown>): ApiError {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value).slice(0, 200)}`)
  return result.error
}
