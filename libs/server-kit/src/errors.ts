import type { ErrorCode } from '@conclave/protocol';

/**
 * The closed set of errors a Conclave service shows to a caller. Each carries a stable `code` from
 * `@conclave/protocol`; `message` is safe to show, while `detail` is for the log only.
 */
export abstract class ConclaveError extends Error {
  abstract readonly httpStatus: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends ConclaveError {
  readonly httpStatus = 400;
}

export class UnauthorizedError extends ConclaveError {
  readonly httpStatus = 401;
}

export class ForbiddenError extends ConclaveError {
  readonly httpStatus = 403;
}

export class NotFoundError extends ConclaveError {
  readonly httpStatus = 404;
}

export class ConflictError extends ConclaveError {
  readonly httpStatus = 409;
}

export class PayloadTooLargeError extends ConclaveError {
  readonly httpStatus = 413;
}

export class TooManyRequestsError extends ConclaveError {
  readonly httpStatus = 429;

  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
    detail?: string,
  ) {
    super(code, message, detail);
  }
}

export class UnavailableError extends ConclaveError {
  readonly httpStatus = 503;
}
