import { Meetings1764000100000 } from './1764000100000-meetings';

/** The rooms service's own migrations, in order (the audit store's run alongside). */
export const ROOMS_MIGRATIONS = [Meetings1764000100000];
