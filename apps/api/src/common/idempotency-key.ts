import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '@metrobici/common';
import type { IdempotentResult } from '@metrobici/idempotency';

/** The request header (IETF draft "The Idempotency-Key HTTP Header Field"), as Express lower-cases it. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Documents the optional header on a write that honours it. */
export function IdempotencyKeyHeader(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A retry with the same key gets the first answer again (header `Idempotent-Replayed: true`), ' +
        'whatever changed since; 409 IDEMPOTENCY_IN_PROGRESS while the first attempt is still running; ' +
        '422 IDEMPOTENCY_KEY_REUSED for the same key with another request. Kept IDEMPOTENCY_TTL_HOURS.',
      schema: { type: 'string', pattern: '^[\\w.:-]{8,128}$' },
    }),
  );
}

export function idempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[\w.:-]{8,128}$/.test(raw)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'Idempotency-Key debe tener 8 a 128 caracteres (letras, dígitos, . : _ -).',
    );
  }
  return raw;
}

/** The stored or new answer, with its status and the replay header. */
export function sendIdempotent<T>(res: Response, result: IdempotentResult<T>): T {
  res.status(result.status);
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return result.body;
}
