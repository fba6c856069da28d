import type { TFunction } from 'i18next';
import { RestError } from '@conclave/client/rest';

/**
 * The one message for a throttled or locked sign-in: the same whether or not the account exists (unknown names
 * are throttled alike), with the wait the service asked for, in whole minutes.
 */
export function retryMessage(t: TFunction, error: unknown): string | undefined {
  if (!(error instanceof RestError) || (error.code !== 'rate_limited' && error.code !== 'account_locked'))
    return undefined;
  if (error.retryAfterSeconds === undefined) return t('signIn.errors.throttled');
  return t('account.retry', { count: Math.max(1, Math.ceil(error.retryAfterSeconds / 60)) });
}
