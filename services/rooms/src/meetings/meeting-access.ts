import { ConflictError, ForbiddenError } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import type { RoomsMetrics } from '../metrics';
import type { MeetingMemberRow, MeetingRow, ParticipantRow } from '../persistence/entities';
import { isInvited, organiserRole } from './meeting-policy';
import type { AuditAppend, LoadedMeeting, MeetingRecords, MeetingStore } from './meeting-store';

/**
 * Why this session may not be handed anything that lets it into the media or the MLS group (a join ticket, a
 * member credential), or undefined when it may: the meeting must be running and the session admitted.
 */
export function refusalForSession(
  meeting: Pick<MeetingRow, 'status'>,
  participant: Pick<ParticipantRow, 'state'>,
): ConflictError | ForbiddenError | undefined {
  if (meeting.status === 'ended') return new ConflictError('meeting_ended', 'this meeting has ended');
  if (meeting.status === 'cancelled')
    return new ConflictError('meeting_cancelled', 'this meeting was cancelled');
  if (participant.state === 'removed')
    return new ForbiddenError('participant_removed', 'you were removed from this meeting');
  if (participant.state !== 'admitted')
    return new ForbiddenError('not_admitted', 'you have not been admitted to this meeting');
  return undefined;
}

export interface MeetingAccessDeps {
  store: MeetingStore;
  metrics: RoomsMetrics;
}

/** Who may see a meeting and who may exercise an organiser power over it; refusals are audited. */
export class MeetingAccess {
  constructor(private readonly deps: MeetingAccessDeps) {}

  /** The organiser or a co-organiser, unless removed (barred) from the meeting. */
  async isOrganiser(
    records: MeetingRecords,
    caller: Caller,
    meeting: MeetingRow,
    members: readonly MeetingMemberRow[],
  ): Promise<boolean> {
    return (
      organiserRole(meeting, members, caller.userId) !== null &&
      !(await records.isBarred(meeting.id, caller.userId))
    );
  }

  /** Organisers and admitted participants see the meeting; a waiting person sees nothing of it. */
  async requireAttendee(
    records: MeetingRecords,
    caller: Caller,
    meeting: MeetingRow,
    members: readonly MeetingMemberRow[],
  ): Promise<void> {
    if (await this.isOrganiser(records, caller, meeting, members)) return;
    if (!isInvited(meeting, members, caller))
      throw new ForbiddenError('not_invited', 'you are not invited to this meeting');
    if (!(await records.hasSession(meeting.id, caller.userId, 'admitted')))
      throw new ForbiddenError('not_admitted', 'you have not been admitted to this meeting');
  }

  /** A read-only organiser power: a caller who is not an organiser gets 403 `not_organiser`, audited. */
  async requireOrganiser(
    caller: Caller,
    meeting: MeetingRow,
    members: readonly MeetingMemberRow[],
    power: string,
  ): Promise<void> {
    if (await this.isOrganiser(this.deps.store.read, caller, meeting, members)) return;
    await this.deps.store.recordDenial({
      action: 'room.power.denied',
      outcome: 'failure',
      actor: caller.userId,
      target: meeting.id,
      reason: 'not_organiser',
      details: { power },
    });
    this.deps.metrics.rightsActions.inc({ action: power, outcome: 'denied' });
    throw new ForbiddenError('not_organiser', 'only an organiser of this meeting may do this');
  }

  /**
   * Authorises an organiser power by reading alone (no transaction held): a caller who is not an organiser (or
   * was removed) gets 403 `not_organiser`, audited. Used by powers that call the SFU before they write.
   */
  async authoriseOrganiser(
    caller: Caller,
    meetingId: string,
    power: string,
    sourceIp: string | undefined,
  ): Promise<LoadedMeeting> {
    const loaded = await this.deps.store.read.load(meetingId);
    if (await this.isOrganiser(this.deps.store.read, caller, loaded.meeting, loaded.members)) return loaded;
    throw await this.denyPower(caller, meetingId, power, sourceIp);
  }

  /** Audits (aggregated) and counts a power refused to a caller who is not an organiser; the error to throw. */
  private async denyPower(
    caller: Caller,
    meetingId: string,
    power: string,
    sourceIp: string | undefined,
  ): Promise<ForbiddenError> {
    await this.deps.store.recordDenial({
      action: 'room.power.denied',
      outcome: 'failure',
      actor: caller.userId,
      target: meetingId,
      reason: 'not_organiser',
      details: { power },
      sourceIp,
    });
    this.deps.metrics.rightsActions.inc({ action: power, outcome: 'denied' });
    return new ForbiddenError('not_organiser', 'only an organiser of this meeting may do this');
  }

  /**
   * Runs an organiser power in one write: a caller who is not an organiser (or was removed) gets 403
   * `not_organiser`, the refusal is audited, and nothing else changes. `work` returns what to answer once the
   * transaction committed.
   */
  async organiserWrite<T>(
    caller: Caller,
    meetingId: string,
    power: string,
    sourceIp: string | undefined,
    work: (
      records: MeetingRecords,
      record: AuditAppend,
      meeting: MeetingRow,
      members: MeetingMemberRow[],
    ) => Promise<() => T>,
  ): Promise<T> {
    const outcome = await this.deps.store.write(async (records, record) => {
      const { meeting, members } = await records.load(meetingId);
      if (!(await this.isOrganiser(records, caller, meeting, members)))
        return new ForbiddenError('not_organiser', 'only an organiser of this meeting may do this');
      return work(records, record, meeting, members);
    });
    if (outcome instanceof Error) throw await this.denyPower(caller, meetingId, power, sourceIp);
    return outcome();
  }
}
