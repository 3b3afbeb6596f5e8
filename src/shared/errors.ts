/**
 * A problem the operator can fix (a bad flow file, a bad option, an unusable DATA_DIR): the
 * command stops with this message and exit code 2, never a stack trace. One base class, so
 * the boundary in main.ts needs no list of kinds.
 */
export class ExpectedError extends Error {
  override readonly name: string = 'ExpectedError';
  readonly exitCode = 2;
}

/**
 * A service the conversation depends on (a shared store) is unreachable for now. The user is
 * asked to send the message again in a moment; nothing was changed.
 */
export class UnavailableError extends Error {
  override readonly name: string = 'UnavailableError';
}

/**
 * The store refuses to grow (Redis at `maxmemory` with `noeviction`, a full disk): a kind of
 * unavailable in which erasing still works, so that `forget` can (red-team m22).
 */
export class StoreFullError extends UnavailableError {
  override readonly name: string = 'StoreFullError';
}

/** Whether an error says the store is full: StoreFullError, or a file write's ENOSPC/EDQUOT. */
export function isStoreFull(error: unknown): boolean {
  if (error instanceof StoreFullError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
