import { In, LessThan, type DataSource, type EntityManager } from 'typeorm';
import { NotFoundError, type AuditEvent, type Clock } from '@conclave/server-kit';
import { serialisedTransaction, type AuditStore } from '../audit-lib';
import { MeetingMemberRow, MeetingRow, ParticipantRow } from '../persistence/entities';
import { DenialLog } from './denial-log';

const MEETING_ID = /^[A-Za-z0-9_-]{22}$/;
const PARTICIPANT_ID = /^p[A-Za-z0-9_-]{16}$/;

/** Appends an audit entry inside the transaction that stores the change it records. */
export type AuditAppend = (event: AuditEvent) => Promise<void>;

type ParticipantState = ParticipantRow['state'];
type ParticipantPatch = Partial<
  Pick<ParticipantRow, 'state' | 'rights' | 'paused' | 'powersVersion' | 'updatedAtMs'>
>;
type MeetingPatch = Partial<Pick<MeetingRow, 'status' | 'locked' | 'knock' | 'endedAtMs'>>;
/** What an organiser may change of a meeting (`PATCH`). */
type MeetingEdit = Partial<
  Pick<
    MeetingRow,
    'title' | 'startsAtMs' | 'endsAtMs' | 'timeZone' | 'classification' | 'e2eeSuite' | 'lobby'
  >
>;

/** A meeting with the people it is for. */
export interface LoadedMeeting {
  meeting: MeetingRow;
  members: MeetingMemberRow[];
}

/** The records of meetings, their members and participant sessions, read or written through one manager. */
export class MeetingRecords {
  constructor(private readonly manager: EntityManager) {}

  /** The meeting and its members; 404 `not_found` for an unknown or malformed id. */
  async load(meetingId: string): Promise<LoadedMeeting> {
    const meeting = MEETING_ID.test(meetingId)
      ? await this.manager.findOneBy(MeetingRow, { id: meetingId })
      : null;
    if (meeting === null) throw new NotFoundError('not_found', 'no such meeting');
    const members = await this.manager.findBy(MeetingMemberRow, { meetingId });
    return { meeting, members };
  }

  /** Meetings organised by `userId` or naming one of `principals`, soonest first. */
  async meetingsFor(userId: string, principals: readonly string[]): Promise<MeetingRow[]> {
    const memberOf = await this.manager.find(MeetingMemberRow, {
      where: { principal: In([...principals]) },
      select: { meetingId: true },
    });
    const ids = [...new Set(memberOf.map((m) => m.meetingId))];
    return this.manager.find(MeetingRow, {
      where: [{ organiserId: userId }, ...(ids.length > 0 ? [{ id: In(ids.slice(0, 500)) }] : [])],
      order: { startsAtMs: 'ASC' },
      take: 500,
    });
  }

  allMeetings(): Promise<MeetingRow[]> {
    return this.manager.find(MeetingRow, { order: { startsAtMs: 'ASC' }, take: 10_000 });
  }

  async insertMeeting(meeting: MeetingRow, members: readonly MeetingMemberRow[]): Promise<void> {
    await this.manager.insert(MeetingRow, meeting);
    if (members.length > 0) await this.manager.insert(MeetingMemberRow, [...members]);
  }

  async updateMeeting(meetingId: string, patch: MeetingPatch): Promise<void> {
    await this.manager.update(MeetingRow, { id: meetingId }, patch);
  }

  async editMeeting(meetingId: string, patch: MeetingEdit): Promise<void> {
    if (Object.keys(patch).length > 0) await this.manager.update(MeetingRow, { id: meetingId }, patch);
  }

  /** Replaces who the meeting is for (co-organisers, invitees, groups) with `members`. */
  async replaceMembers(meetingId: string, members: readonly MeetingMemberRow[]): Promise<void> {
    await this.manager.delete(MeetingMemberRow, { meetingId });
    if (members.length > 0) await this.manager.insert(MeetingMemberRow, [...members]);
  }

  /** Takes the meeting's next powers version (strictly increasing; call it in a `write`). */
  async nextPowersVersion(meetingId: string): Promise<number> {
    await this.manager.increment(MeetingRow, { id: meetingId }, 'powersVersion', 1);
    const row = await this.manager.findOne(MeetingRow, {
      where: { id: meetingId },
      select: { id: true, powersVersion: true },
    });
    if (row === null) throw new NotFoundError('not_found', 'no such meeting');
    return Number(row.powersVersion);
  }

  async setAutoAdmit(meetingId: string, principal: string, autoAdmit: boolean): Promise<void> {
    await this.manager.update(MeetingMemberRow, { meetingId, principal }, { autoAdmit });
  }

  /**
   * Makes `principal` a co-organiser promoted during the meeting; a co-organiser named at scheduling stays one.
   */
  async promote(meetingId: string, principal: string, current: MeetingMemberRow | undefined): Promise<void> {
    if (current?.role === 'co-organiser') return;
    if (current !== undefined)
      await this.manager.update(
        MeetingMemberRow,
        { meetingId, principal },
        { role: 'co-organiser', promoted: true },
      );
    else
      await this.manager.insert(MeetingMemberRow, {
        meetingId,
        principal,
        role: 'co-organiser',
        autoAdmit: false,
        promoted: true,
      });
  }

  /** The members of these meetings. */
  membersOf(meetingIds: readonly string[]): Promise<MeetingMemberRow[]> {
    return meetingIds.length > 0
      ? this.manager.findBy(MeetingMemberRow, { meetingId: In([...meetingIds]) })
      : Promise.resolve([]);
  }

  /** The user's sessions in these meetings. */
  sessionsOfUser(userId: string, meetingIds: readonly string[]): Promise<ParticipantRow[]> {
    return meetingIds.length > 0
      ? this.manager.findBy(ParticipantRow, { userId, meetingId: In([...meetingIds]) })
      : Promise.resolve([]);
  }

  /** A participant session of this meeting; null for an unknown or malformed id. */
  async participant(meetingId: string, participantId: string): Promise<ParticipantRow | null> {
    return PARTICIPANT_ID.test(participantId)
      ? this.manager.findOneBy(ParticipantRow, { id: participantId, meetingId })
      : null;
  }

  /** The sessions of a meeting in one of `states` (optionally among `ids`), oldest first. */
  participantsIn(
    meetingId: string,
    states: readonly ParticipantState[],
    ids?: readonly string[],
  ): Promise<ParticipantRow[]> {
    return this.manager.find(ParticipantRow, {
      where: { meetingId, state: In([...states]), ...(ids !== undefined ? { id: In([...ids]) } : {}) },
      order: { createdAtMs: 'ASC' },
    });
  }

  /** The user's sessions in this meeting in one of `states`. */
  sessionsOf(
    meetingId: string,
    userId: string,
    states: readonly ParticipantState[],
  ): Promise<ParticipantRow[]> {
    return this.manager.find(ParticipantRow, { where: { meetingId, userId, state: In([...states]) } });
  }

  async hasSession(meetingId: string, userId: string, state: ParticipantState): Promise<boolean> {
    return (await this.manager.countBy(ParticipantRow, { meetingId, userId, state })) > 0;
  }

  /** Removed once means barred from this meeting. */
  isBarred(meetingId: string, userId: string): Promise<boolean> {
    return this.hasSession(meetingId, userId, 'removed');
  }

  async insertParticipant(participant: ParticipantRow): Promise<void> {
    await this.manager.insert(ParticipantRow, participant);
  }

  async updateParticipant(participantId: string, patch: ParticipantPatch): Promise<void> {
    await this.manager.update(ParticipantRow, { id: participantId }, patch);
  }

  /** Updates every session of the meeting (of one user, when given) in one of `states`. */
  async updateSessions(
    meetingId: string,
    states: readonly ParticipantState[],
    patch: ParticipantPatch,
    userId?: string,
  ): Promise<void> {
    await this.manager.update(
      ParticipantRow,
      { meetingId, state: In([...states]), ...(userId !== undefined ? { userId } : {}) },
      patch,
    );
  }

  /** Sessions of any meeting still waiting in a lobby since before `cutoffMs`, oldest first (at most 500). */
  waitingSince(cutoffMs: number): Promise<ParticipantRow[]> {
    return this.manager.find(ParticipantRow, {
      where: { state: 'waiting', createdAtMs: LessThan(cutoffMs) },
      order: { createdAtMs: 'ASC' },
      take: 500,
    });
  }
}

/**
 * The repository of meetings, members and participants. A change and its audit entry are written in one
 * serialised transaction (`write`), so neither is ever stored without the other.
 */
export class MeetingStore {
  /** Reads outside any transaction. */
  readonly read: MeetingRecords;

  /** Refusals, with their repeats aggregated. */
  readonly denials: DenialLog;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    options: { clock: Clock; denialWindowMs: number },
  ) {
    this.read = new MeetingRecords(dataSource.manager);
    this.denials = new DenialLog({
      write: (event) => audit.record(event),
      clock: options.clock,
      windowMs: options.denialWindowMs,
    });
  }

  write<T>(work: (records: MeetingRecords, record: AuditAppend) => Promise<T>): Promise<T> {
    return serialisedTransaction(this.dataSource, (manager) =>
      work(new MeetingRecords(manager), async (event) => {
        await this.audit.append(manager, event);
      }),
    );
  }

  /** Appends one audit entry on its own (a failure that changed nothing). */
  recordAlone(event: AuditEvent): Promise<void> {
    return this.audit.record(event);
  }

  /** Records a refusal; a flood of the same refusal is written as one entry with its count. */
  recordDenial(event: AuditEvent): Promise<void> {
    return this.denials.record(event);
  }
}
