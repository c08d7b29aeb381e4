/** A handler failure with an API error code (thrown inside handlers, returned as data by createApi). */
import type { ApiError } from '@shared/ipc/api'

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    readonly field?: string,
  ) {
    super(message)
    this.name = 'ApiFailure'
  }
}
