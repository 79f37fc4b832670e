// Prisma's driver-adapter errors name why the database could not be used; these mean "not now".
const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);
const UNREACHABLE_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
]);
// PostgreSQL shutting down or starting (admin_shutdown, crash_shutdown, cannot_connect_now).
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const UNREACHABLE_MESSAGE =
  /Can't reach database|Connection terminated|ECONNREFUSED|ECONNRESET|Timed out fetching a new connection/;

/** True when an error says the database cannot be reached for now (rather than that something is wrong). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && typeof cause === 'object' && depth < 5; depth++) {
    const { code, meta, message } = cause as { code?: unknown; meta?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || UNREACHABLE_SQLSTATES.has(code))) return true;
    const adapter = (meta as { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } | undefined)
      ?.driverAdapterError?.cause;
    if (adapter?.kind && UNREACHABLE_KINDS.has(adapter.kind)) return true;
    if (adapter?.originalCode && UNREACHABLE_SQLSTATES.has(adapter.originalCode)) return true;
    if (typeof message === 'string' && UNREACHABLE_MESSAGE.test(message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
