import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError, type ErrorCode } from '@metrobici/common';
import { DEPENDENCY_FAILURE_MESSAGES, dependencyFailure, RETRY_AFTER_SECONDS } from './dependency-failure';
import { ERROR_STATUS } from './error-status';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  errorId?: string;
}

/**
 * The one error format. Domain errors map through ERROR_STATUS; framework errors (bad JSON, unknown
 * route, rate limit, body too large) get their own codes; a dependency down or busy (PostgreSQL or
 * Redis unreachable, a lock or statement timeout) is a 503 SERVICE_UNAVAILABLE with Retry-After;
 * anything else is a 500 with an id that is also in the log, and never leaks internals.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toBody(exception, req);
    if (res.headersSent) return;
    // A dependency down or busy: tell clients when to try again (unless a guard said already).
    if (body.code === 'SERVICE_UNAVAILABLE' && !res.getHeader('Retry-After'))
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, req: Request): ErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: ERROR_STATUS[exception.code],
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    // Express body-parser errors arrive raw or wrapped by Nest (with the original as `cause`).
    const bodyParser = ((exception as { cause?: unknown })?.cause ?? exception) as { type?: string };
    if (bodyParser?.type === 'entity.parse.failed') {
      return { statusCode: 400, code: 'MALFORMED_JSON', message: 'El cuerpo de la solicitud no es JSON válido.' };
    }
    if (bodyParser?.type === 'entity.too.large') {
      return { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'El cuerpo de la solicitud es demasiado grande.' };
    }
    if (exception instanceof HttpException) {
      const status: HttpStatus = exception.getStatus();
      if (status === HttpStatus.NOT_FOUND)
        return { statusCode: 404, code: 'ROUTE_NOT_FOUND', message: `No existe la ruta ${req.method} ${req.path}.` };
      if (status === HttpStatus.UNAUTHORIZED)
        return { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Se requiere iniciar sesión.' };
      if (status === HttpStatus.FORBIDDEN)
        return { statusCode: 403, code: 'FORBIDDEN', message: 'No tiene permiso para esta acción.' };
      if (status === HttpStatus.PAYLOAD_TOO_LARGE)
        return {
          statusCode: 413,
          code: 'PAYLOAD_TOO_LARGE',
          message: 'El cuerpo de la solicitud es demasiado grande.',
        };
      if (status < HttpStatus.INTERNAL_SERVER_ERROR)
        return { statusCode: 400, code: 'VALIDATION_FAILED', message: exception.message };
    }
    const failure = dependencyFailure(exception);
    if (failure) {
      // Expected while PostgreSQL or Redis restarts: one warning line, no stack, never a 500.
      this.logger.warn({
        message: 'Dependency unavailable',
        dependency: failure,
        requestId: (req as Request & { id?: string }).id,
        path: req.path,
        method: req.method,
        error: errorMessage(exception),
      });
      return { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: DEPENDENCY_FAILURE_MESSAGES[failure] };
    }
    const errorId = randomUUID();
    this.logger.error({
      message: 'Unhandled error',
      errorId,
      requestId: (req as Request & { id?: string }).id,
      path: req.path,
      method: req.method,
      error: errorMessage(exception),
      stack: (exception as Error)?.stack,
    });
    return {
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: 'Error interno. Informe este identificador al soporte.',
      errorId,
    };
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
