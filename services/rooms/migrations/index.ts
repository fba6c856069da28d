import { Meetings1764000100000 } from './1764000100000-meetings';
import { MeetingE2eeSuite1764000200000 } from './1764000200000-meeting-e2ee-suite';
import { MemberPromoted1764000300000 } from './1764000300000-member-promoted';
import { PowersVersion1764000400000 } from './1764000400000-powers-version';

/** The rooms service's own migrations, in order (the audit store's run alongside). */
export const ROOMS_MIGRATIONS = [
  Meetings1764000100000,
  MeetingE2eeSuite1764000200000,
  MemberPromoted1764000300000,
  PowersVersion1764000400000,
];
