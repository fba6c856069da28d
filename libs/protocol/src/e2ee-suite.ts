import { z } from 'zod';

/**
 * The MLS cipher suites a meeting can use (the room's security setting):
 *   - `aes256`: MLS_256_DHKEMP384_AES256GCM_SHA384_P384 (RFC 9420 suite 7), the default;
 *   - `xwing-pq`: the X-Wing post-quantum hybrid (X25519 + ML-KEM-768) with AES-256-GCM.
 * A meeting's suite is fixed for as long as its MLS group lives.
 */
export const E2EE_SUITES = ['aes256', 'xwing-pq'] as const;

export type E2eeSuite = (typeof E2EE_SUITES)[number];

export const DEFAULT_E2EE_SUITE: E2eeSuite = 'aes256';

export const e2eeSuiteSchema = z.enum(E2EE_SUITES);
