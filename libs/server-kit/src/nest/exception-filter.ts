import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { ErrorBody, ErrorCode } from '@conclave/protocol';
import { ConclaveError, TooManyRequestsError } from '../errors';
import type { Logger } from '../logger';

/** Framework refusals (routing, body parsing) mapped to our stable codes. */
const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'not_authenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'bad_request',
  429: 'rate_limited',
};

/**
 * The one place errors become HTTP responses: `ConclaveError`s keep their status and code; framework errors
 * (bad JSON, unknown route, body too large) get a 4xx with a code; anything else is logged and answered as a
 * bare 500 without detail. The message logged is never the message shown.
 */
@Catch()
export class ConclaveExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    let status: number;
    let body: ErrorBody;
    if (exception instanceof ConclaveError) {
      status = exception.httpStatus;
      body = { code: exception.code, message: exception.message };
      if (exception instanceof TooManyRequestsError)
        response.setHeader('retry-after', String(exception.retryAfterSeconds));
    } else if (exception instanceof HttpException && exception.getStatus() < 500) {
      status = exception.getStatus();
      body = {
        code: HTTP_STATUS_CODES[status] ?? 'bad_request',
        message: status === 404 ? 'not found' : 'the request was refused',
      };
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      body = {
        code: status === 413 ? 'payload_too_large' : 'malformed_message',
        message: status === 413 ? 'the body is too large' : 'the body is not valid JSON',
      };
    } else {
      this.log.error('unhandled error', { error: exception as Error });
      status = 500;
      body = { code: 'internal_error', message: 'the request could not be completed' };
    }
    response.status(status).type('application/json').send(JSON.stringify(body));
  }
}

function isBodyParserError(error: unknown): error is { status: number; type: string } {
  const e = error as { status?: unknown; type?: unknown };
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string';
}
