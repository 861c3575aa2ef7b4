/**
 * A business refusal: a rule said no, or the input is invalid. Services throw it; one wrapper turns it
 * into `{ errors: [UserError] }` in the mutation payload and the transaction rolls back (R-SEC-3).
 * `code` is a value of the contract's `ErrorCode` enum; `field` the path to the input at fault.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string[],
    /** Optional structured data for the payload (e.g. the existing object). */
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
