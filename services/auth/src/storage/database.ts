import type { DataSource } from 'typeorm';
import { openDataSource, type DatabaseConfig } from '@conclave/server-kit';
import { InitialSchema1763920000000 } from '../../migrations/1763920000000-initial-schema';
import { UserGroups1763990000000 } from '../../migrations/1763990000000-user-groups';
import { ExternalIdentity1765140000000 } from '../../migrations/1765140000000-external-identity';
import { ThrottleRefusals1765150000000 } from '../../migrations/1765150000000-throttle-refusals';
import { StepTokensSealedTotp1765160000000 } from '../../migrations/1765160000000-step-tokens-sealed-totp';
import { AUTH_ENTITIES } from './entities';

/** The service's migrations, oldest first; the same list runs on SQLite and PostgreSQL. */
export const AUTH_MIGRATIONS = [
  InitialSchema1763920000000,
  UserGroups1763990000000,
  ExternalIdentity1765140000000,
  ThrottleRefusals1765150000000,
  StepTokensSealedTotp1765160000000,
];

/** Opens the authentication database and brings its schema up to date. */
export function openAuthDatabase(config: DatabaseConfig): Promise<DataSource> {
  return openDataSource(config, AUTH_ENTITIES, AUTH_MIGRATIONS);
}
