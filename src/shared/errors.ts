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
