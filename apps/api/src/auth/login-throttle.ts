import { Injectable } from '@nestjs/common';
import { DomainError } from '@metrobici/common';
import { ACCOUNT_LOCK_SECONDS, RateLimits } from '../common/rate-limits';

/**
 * The per-account half of the login limit (the per-address half is the `login` rate limit): after
 * ACCOUNT_FAILURES_BEFORE_LOCK failures within 15 minutes the account is locked for 15 minutes,
 * whichever addresses the tries came from. Unknown e-mails are counted the same way, so a lock
 * says nothing about whether an account exists. An admin can lift a lock.
 */
@Injectable()
export class LoginThrottle {
  constructor(private readonly limits: RateLimits) {}

  /** Throws ACCOUNT_LOCKED (429, with the seconds to wait) while the account is locked. */
  async assertNotLocked(email: string): Promise<void> {
    const state = await this.limits.accountFailures.peek(key(email));
    if (!state.allowed) {
      throw new DomainError(
        'ACCOUNT_LOCKED',
        `Demasiados intentos fallidos para esta cuenta; espere ${Math.ceil(state.retryAfterSeconds / 60)} minutos o pida a un administrador que la desbloquee.`,
        { retryAfterSeconds: state.retryAfterSeconds, lockMinutes: ACCOUNT_LOCK_SECONDS / 60 },
      );
    }
  }

  async failed(email: string): Promise<void> {
    await this.limits.accountFailures.hit(key(email));
  }

  async succeeded(email: string): Promise<void> {
    await this.limits.accountFailures.reset(key(email));
  }

  /** Admin action: lifts the lock-out and forgets the failures. */
  async unlock(email: string): Promise<void> {
    await this.limits.accountFailures.reset(key(email));
  }
}

function key(email: string): string {
  return email.trim().toLowerCase();
}
