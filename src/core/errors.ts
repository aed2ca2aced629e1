// Typed errors of the whole product. Every failure a user or a peer can cause carries a stable
// code; the API maps codes to HTTP statuses and the CLI prints `code: message`.

export type ErrorCode =
  // encoding and shapes
  | 'DECODE_ERROR' | 'NOT_CANONICAL' | 'TOO_LARGE' | 'BAD_SHAPE' | 'BAD_ARGUMENT'
  // transactions, identities and admission
  | 'TX_TOO_LARGE' | 'BAD_SIGNATURE' | 'UNKNOWN_ORG' | 'CERT_EXPIRED' | 'CERT_REVOKED'
  | 'CERT_INVALID' | 'WRONG_NETWORK' | 'NOT_ADMITTED'
  // storage
  | 'STORE_CLOSED' | 'STORE_CONFLICT' | 'NOT_FOUND' | 'STORE_CORRUPT' | 'LEDGER_LOST'
  // contracts
  | 'CONTRACT_SYNTAX' | 'CONTRACT_INVALID' | 'OUT_OF_GAS' | 'CONTRACT_THROW' | 'NO_SUCH_METHOD'
  | 'NON_JSON_STATE' | 'NON_JSON_RESULT' | 'STATE_TOO_LARGE' | 'ARG_TOO_LARGE' | 'RESULT_TOO_LARGE'
  | 'STACK_OVERFLOW' | 'WATCHDOG_TIMEOUT' | 'SANDBOX_VIOLATION' | 'WORKER_CRASHED'
  // ordering, network, shards
  | 'NOT_LEADER' | 'NOT_MEMBER' | 'QUEUE_FULL' | 'TIMEOUT' | 'UNREACHABLE' | 'STILL_LOCATING'
  | 'PROTOCOL_ERROR' | 'CLOSED'
  | 'NOT_IMPLEMENTED' | 'INTERNAL'

export class BetascoError extends Error {
  readonly code: ErrorCode
  readonly details?: Record<string, unknown>

  constructor (code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BetascoError'
    this.code = code
    if (details !== undefined) this.details = details
  }

  toJSON (): { code: ErrorCode, message: string } {
    return { code: this.code, message: this.message }
  }
}

export function isBetascoError (err: unknown, code?: ErrorCode): err is BetascoError {
  return err instanceof BetascoError && (code === undefined || err.code === code)
}

/** Fails loudly on a broken invariant: a bug, never a user's mistake. */
export function invariant (condition: unknown, message: string): asserts condition {
  if (!condition) throw new BetascoError('INTERNAL', `invariant violated: ${message}`)
}
