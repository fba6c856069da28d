import type { MediaSource, MeetingView, ParticipantView, Right } from '@conclave/protocol';
import {
  BadRequestError,
  ConclaveError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type Clock,
} from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import type { RoomsMetrics } from '../metrics';
import type { MeetingMemberRow, MeetingRow, ParticipantRow } from '../persistence/entities';
import type { SfuControl } from '../sfu/sfu-control';
import type { MeetingAccess } from './meeting-access';
import {
  authority,
  formatRights,
  mayActOn,
  parseRights,
  parseSources,
  userPrincipal,
  withRight,
  withSource,
} from './meeting-policy';
import type { AuditAppend, MeetingRecords, MeetingStore } from './meeting-store';
import { participantView, view } from './meeting-views';
import type { ParticipantInbox } from './participant-inbox';
import type { ParticipantStreams } from '../streams/participant-streams';

export interface MeetingPowersDeps {
  store: MeetingStore;
  access: MeetingAccess;
  sfu: SfuControl;
  inbox: ParticipantInbox;
  /** Open participant streams: waiting people learn the meeting was locked or ended, removed sessions why. */
  streams: ParticipantStreams;
  metrics: RoomsMetrics;
  clock: Clock;
}

/** The powers over one participant an organiser can exercise, as audit actions. */
type Power = 'share' | 'camera' | 'mute' | 'ask-unmute' | 'remove' | 'promote';

type Details = { [key: string]: string | number | boolean };

/**
 * Organiser powers over a meeting (lock, end, auto-admit) and over its participants (share, camera, mute,
 * ask-unmute, remove, promote), and the administrators' knock setting. Powers over the media go to the SFU
 * first and are stored, with their audit entry, only once the SFU applied them.
 */
export class MeetingPowers {
  constructor(private readonly deps: MeetingPowersDeps) {}

  async setLocked(
    caller: Caller,
    meetingId: string,
    locked: boolean,
    sourceIp?: string,
  ): Promise<MeetingView> {
    return this.deps.access.organiserWrite(
      caller,
      meetingId,
      locked ? 'lock' : 'unlock',
      sourceIp,
      async (records, record, meeting, members) => {
        if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
        await records.updateMeeting(meetingId, { locked });
        await record({
          action: locked ? 'room.lock' : 'room.unlock',
          outcome: 'success',
          actor: caller.userId,
          target: meetingId,
          sourceIp,
        });
        // Locking sends away the people still waiting: nobody new gets in, so they are told now.
        const sentAway = locked ? await this.sendAwayWaiting(records, record, meetingId, caller.userId) : [];
        return () => {
          for (const id of sentAway) this.deps.streams.departed(meetingId, id, 'locked');
          return view({ ...meeting, locked }, members);
        };
      },
    );
  }

  /** Ends the meeting for everyone: the SFU closes every session, and no ticket is issued afterwards. */
  async end(caller: Caller, meetingId: string, sourceIp?: string): Promise<MeetingView> {
    const { meeting, members } = await this.deps.access.authoriseOrganiser(
      caller,
      meetingId,
      'end',
      sourceIp,
    );
    return this.endMeeting(meeting, members, caller.userId, sourceIp);
  }

  /** Administrators (CLI): ends a meeting whoever organises it. */
  async endAsAdministrator(actor: string, meetingId: string): Promise<MeetingView> {
    const { meeting, members } = await this.deps.store.read.load(meetingId);
    return this.endMeeting(meeting, members, actor);
  }

  async setAutoAdmit(
    caller: Caller,
    meetingId: string,
    users: string[],
    sourceIp?: string,
  ): Promise<MeetingView> {
    return this.deps.access.organiserWrite(
      caller,
      meetingId,
      'auto-admit',
      sourceIp,
      async (records, record, meeting, members) => {
        const wanted = new Set(users.map(userPrincipal));
        const invitees = new Set(
          members.filter((m) => m.principal.startsWith('user:')).map((m) => m.principal),
        );
        const unknown = [...wanted].find((p) => !invitees.has(p));
        if (unknown !== undefined)
          throw new BadRequestError(
            'bad_request',
            'users: only named invitees can be admitted automatically',
          );
        for (const member of members) {
          const autoAdmit = wanted.has(member.principal);
          if (member.autoAdmit !== autoAdmit)
            await records.setAutoAdmit(meetingId, member.principal, autoAdmit);
          member.autoAdmit = autoAdmit;
        }
        await record({
          action: 'room.auto-admit',
          outcome: 'success',
          actor: caller.userId,
          target: meetingId,
          details: { users: users.length },
          sourceIp,
        });
        return () => view(meeting, members);
      },
    );
  }

  /** Administrators only: let signed-in people who are not invited ask to enter this meeting. */
  async setKnock(
    caller: Caller,
    meetingId: string,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<MeetingView> {
    const result = await this.deps.store.write(async (records, record) => {
      const { meeting, members } = await records.load(meetingId);
      if (!caller.roles.includes('admin'))
        return new ForbiddenError('role_missing', 'only an administrator may change who can knock');
      await records.updateMeeting(meetingId, { knock: allowed });
      await record({
        action: 'room.knock',
        outcome: 'success',
        actor: caller.userId,
        target: meetingId,
        details: { allowed },
        sourceIp,
      });
      return view({ ...meeting, knock: allowed }, members);
    });
    if (result instanceof Error) {
      await this.deps.store.recordDenial({
        action: 'room.knock',
        outcome: 'failure',
        actor: caller.userId,
        target: meetingId,
        reason: result.code,
        sourceIp,
      });
      throw result;
    }
    return result;
  }

  /** Grants or takes back screen sharing; taking it back closes the share now. */
  setShare(
    caller: Caller,
    meetingId: string,
    participantId: string,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.changeRight(caller, meetingId, participantId, 'share', 'produce:screen', allowed, sourceIp);
  }

  /** Turns a camera off and takes back the right to turn it on (false), or gives it back (true). */
  setCamera(
    caller: Caller,
    meetingId: string,
    participantId: string,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.changeRight(caller, meetingId, participantId, 'camera', 'produce:video', allowed, sourceIp);
  }

  /** Stops forwarding the participant's microphone (or shared audio). Never turns a microphone on. */
  async mute(
    caller: Caller,
    meetingId: string,
    participantId: string,
    source: MediaSource,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(caller, meetingId, participantId, 'mute', sourceIp, {
      sfu: (target, version) =>
        this.deps.sfu.apply({
          kind: 'pause',
          meetingId,
          participantId: target.id,
          body: { source, version, actor: caller.userId },
        }),
      store: async (records, target, meeting, members) => {
        const paused = withSource(target.paused, source, true);
        await records.updateParticipant(target.id, { paused });
        return {
          details: { source },
          after: () => participantView({ ...target, paused }, meeting, members),
        };
      },
    });
  }

  /**
   * Asks the participant's client to unmute and lifts the organiser mute at the SFU, so that the participant may
   * accept by resuming its microphone; the participant decides, nothing is resumed for it.
   */
  async askUnmute(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(caller, meetingId, participantId, 'ask-unmute', sourceIp, {
      sfu: (target, version) =>
        this.deps.sfu.apply({
          kind: 'release',
          meetingId,
          participantId: target.id,
          body: { sources: parseSources(target.paused), version, actor: caller.userId },
        }),
      skipSfu: (target) => target.paused === '',
      store: async (records, target, meeting, members) => {
        if (target.paused !== '') await records.updateParticipant(target.id, { paused: '' });
        return {
          after: () => {
            this.deps.inbox.post(target.id, {
              type: 'unmute-requested',
              by: caller.userId,
              at: new Date(this.deps.clock.now()).toISOString(),
            });
            return participantView({ ...target, paused: '' }, meeting, members);
          },
        };
      },
    });
  }

  /** Removes a participant (waiting or admitted) and bars the user from this meeting; the SFU rekeys the group. */
  async remove(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(caller, meetingId, participantId, 'remove', sourceIp, {
      targetStates: ['waiting', 'admitted', 'refused', 'left'],
      // The SFU is told even of a session not admitted now: it then refuses every ticket fetched before.
      sfu: async (target, version) => {
        const live = await this.deps.store.read.sessionsOf(meetingId, target.userId, ['admitted']);
        const sessions = new Set([target.id, ...live.map((session) => session.id)]);
        for (const session of sessions)
          await this.deps.sfu.apply({
            kind: 'remove',
            meetingId,
            participantId: session,
            body: { userId: target.userId, bar: true, version, actor: caller.userId },
          });
      },
      store: async (records, target, meeting, members, version) => {
        const sessions = await records.sessionsOf(meetingId, target.userId, ['waiting', 'admitted']);
        const now = this.deps.clock.now();
        await records.updateSessions(
          meetingId,
          ['waiting', 'admitted'],
          { state: 'removed', updatedAtMs: now, powersVersion: version },
          target.userId,
        );
        if (target.state !== 'waiting' && target.state !== 'admitted')
          await records.updateParticipant(target.id, { state: 'removed', updatedAtMs: now });
        return {
          details: { user: target.userId },
          after: () => {
            for (const session of sessions) {
              this.deps.inbox.forget(session.id);
              if (session.state === 'waiting') this.deps.streams.departed(meetingId, session.id, 'removed');
              else this.deps.streams.removed(meetingId, session.id);
            }
            return participantView({ ...target, state: 'removed' }, meeting, members);
          },
        };
      },
    });
  }

  /** Makes an admitted participant a co-organiser of this meeting, with every organiser power. */
  async promote(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    const promoted = (target: ParticipantRow) =>
      withRight(parseRights(target.rights), 'produce:screen', true);
    return this.participantPower(caller, meetingId, participantId, 'promote', sourceIp, {
      sfu: (target, version) =>
        this.deps.sfu.apply({
          kind: 'rights',
          meetingId,
          participantId: target.id,
          body: { rights: promoted(target), version, actor: caller.userId },
        }),
      store: async (records, target, meeting, members) => {
        const rights = promoted(target);
        const principal = userPrincipal(target.userId);
        const existing = members.find((m) => m.principal === principal);
        await records.promote(meetingId, principal, existing);
        await records.updateParticipant(target.id, {
          rights: formatRights(rights),
          updatedAtMs: this.deps.clock.now(),
        });
        const updatedMembers =
          existing?.role === 'co-organiser'
            ? members
            : [
                ...members.filter((m) => m.principal !== principal),
                {
                  meetingId,
                  principal,
                  role: 'co-organiser' as const,
                  autoAdmit: existing?.autoAdmit ?? false,
                  promoted: true,
                },
              ];
        return {
          details: { user: target.userId },
          after: () => participantView({ ...target, rights: formatRights(rights) }, meeting, updatedMembers),
        };
      },
    });
  }

  /**
   * Lowers a participant's raised hand. Hands are meeting state the SFU keeps, not rights: nothing is stored
   * but the audit entry, and no powers version is spent.
   */
  async lowerHand(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    const { meeting, members } = await this.deps.access.authoriseOrganiser(
      caller,
      meetingId,
      'lower-hand',
      sourceIp,
    );
    if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
    const target = await this.deps.store.read.participant(meetingId, participantId);
    if (target === null) throw new NotFoundError('not_found', 'no such participant in this meeting');
    if (target.state !== 'admitted')
      throw new ConflictError('invalid_state', `this participant is ${target.state}`);
    const failure = { action: 'room.participant.lower-hand', actor: caller.userId, target: target.id };
    await this.onSfu(
      () =>
        this.deps.sfu.apply({
          kind: 'lower-hand',
          meetingId,
          participantId: target.id,
          body: { actor: caller.userId },
        }),
      { ...failure, details: { meeting: meetingId }, sourceIp, power: 'lower-hand' },
    );
    await this.deps.store.write((_records, record) =>
      record({ ...failure, outcome: 'success', details: { meeting: meetingId }, sourceIp }),
    );
    this.deps.metrics.rightsActions.inc({ action: 'lower-hand', outcome: 'success' });
    return participantView(target, meeting, members);
  }

  /** Lowers every raised hand in the meeting (audited once). */
  async lowerAllHands(caller: Caller, meetingId: string, sourceIp?: string): Promise<MeetingView> {
    const { meeting, members } = await this.deps.access.authoriseOrganiser(
      caller,
      meetingId,
      'lower-hands',
      sourceIp,
    );
    if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
    const entry = { action: 'room.hands.lower-all', actor: caller.userId, target: meetingId };
    await this.onSfu(
      () => this.deps.sfu.apply({ kind: 'lower-hands', meetingId, body: { actor: caller.userId } }),
      { ...entry, sourceIp, power: 'lower-hands' },
    );
    await this.deps.store.write((_records, record) => record({ ...entry, outcome: 'success', sourceIp }));
    this.deps.metrics.rightsActions.inc({ action: 'lower-hands', outcome: 'success' });
    return view(meeting, members);
  }

  private async changeRight(
    caller: Caller,
    meetingId: string,
    participantId: string,
    power: 'share' | 'camera',
    right: Right,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    const changed = (target: ParticipantRow) => withRight(parseRights(target.rights), right, allowed);
    return this.participantPower(caller, meetingId, participantId, power, sourceIp, {
      sfu: (target, version) =>
        this.deps.sfu.apply({
          kind: 'rights',
          meetingId,
          participantId: target.id,
          body: { rights: changed(target), version, actor: caller.userId },
        }),
      store: async (records, target, meeting, members) => {
        const rights = changed(target);
        await records.updateParticipant(target.id, {
          rights: formatRights(rights),
          updatedAtMs: this.deps.clock.now(),
        });
        return {
          details: { allowed, rights: rights.join(',') },
          after: () => participantView({ ...target, rights: formatRights(rights) }, meeting, members),
        };
      },
    });
  }

  /**
   * A power over one participant, in three steps so that no transaction or audit lock is ever held while the
   * SFU is called: authorise and read (no transaction), apply on the SFU, then store the change with its audit
   * entry in one short write. An SFU that refuses or does not answer leaves the records unchanged and an
   * audited failure.
   */
  private async participantPower(
    caller: Caller,
    meetingId: string,
    participantId: string,
    power: Power,
    sourceIp: string | undefined,
    plan: {
      targetStates?: ParticipantRow['state'][];
      /** The change on the media, made before anything is stored, numbered with the meeting's next version. */
      sfu?: (target: ParticipantRow, version: number) => Promise<unknown>;
      /** True when this target needs no change on the media. */
      skipSfu?: (target: ParticipantRow) => boolean;
      /** Stores the change (the target read again in the write) and says what to answer. */
      store: (
        records: MeetingRecords,
        target: ParticipantRow,
        meeting: MeetingRow,
        members: MeetingMemberRow[],
        version: number,
      ) => Promise<{ details?: Details; after: () => ParticipantView }>;
    },
  ): Promise<ParticipantView> {
    const { meeting, members } = await this.deps.access.authoriseOrganiser(
      caller,
      meetingId,
      power,
      sourceIp,
    );
    const targetStates = plan.targetStates ?? ['admitted'];
    const current = async (records: MeetingRecords) => {
      if ((await records.load(meetingId)).meeting.status === 'ended')
        throw new ConflictError('meeting_ended', 'this meeting has ended');
      const target = await records.participant(meetingId, participantId);
      if (target === null) throw new NotFoundError('not_found', 'no such participant in this meeting');
      if (!targetStates.includes(target.state))
        throw new ConflictError('invalid_state', `this participant is ${target.state}`);
      return target;
    };
    const target = await current(this.deps.store.read);
    const actor = authority(meeting, members, caller.userId);
    if (actor !== null && !mayActOn(actor, authority(meeting, members, target.userId))) {
      await this.deps.store.recordDenial({
        action: 'room.power.denied',
        outcome: 'failure',
        actor: caller.userId,
        target: target.id,
        reason: 'organiser_protected',
        details: { power, meeting: meetingId },
        sourceIp,
      });
      this.deps.metrics.rightsActions.inc({ action: power, outcome: 'denied' });
      throw new ForbiddenError(
        'organiser_protected',
        'a co-organiser promoted during the meeting has no power over the organiser or the co-organisers named at scheduling',
      );
    }
    let version: number | undefined;
    if (plan.sfu !== undefined && !(plan.skipSfu?.(target) ?? false)) {
      const sfu = plan.sfu;
      // Numbered before the SFU hears of it: a ticket issued from now until the change is stored still
      // carries this session's older version, which the SFU then refuses.
      const numbered = await this.deps.store.write((records) => records.nextPowersVersion(meetingId));
      version = numbered;
      await this.onSfu(() => sfu(target, numbered), {
        action: `room.participant.${power}`,
        actor: caller.userId,
        target: target.id,
        details: { meeting: meetingId },
        sourceIp,
        power,
      });
    }
    const after = await this.deps.store.write(async (records, record) => {
      const fresh = await current(records);
      const stamped = version ?? Number(fresh.powersVersion);
      const { details, after } = await plan.store(records, fresh, meeting, members, stamped);
      if (version !== undefined && Number(fresh.powersVersion) < version)
        await records.updateParticipant(fresh.id, { powersVersion: version });
      await record({
        action: `room.participant.${power}`,
        outcome: 'success',
        actor: caller.userId,
        target: fresh.id,
        details: { meeting: meetingId, ...details, ...(version !== undefined ? { version } : {}) },
        sourceIp,
      });
      return after;
    });
    this.deps.metrics.rightsActions.inc({ action: power, outcome: 'success' });
    return after();
  }

  private async endMeeting(
    meeting: MeetingRow,
    members: MeetingMemberRow[],
    actor: string,
    sourceIp?: string,
  ): Promise<MeetingView> {
    if (meeting.status === 'ended')
      throw new ConflictError('meeting_ended', 'this meeting has already ended');
    if (meeting.status === 'cancelled')
      throw new ConflictError('meeting_cancelled', 'this meeting was cancelled');
    const version = await this.deps.store.write((records) => records.nextPowersVersion(meeting.id));
    await this.onSfu(
      () => this.deps.sfu.apply({ kind: 'end', meetingId: meeting.id, body: { version, actor } }),
      {
        action: 'room.end',
        actor,
        target: meeting.id,
        sourceIp,
        power: 'end',
      },
    );
    const now = this.deps.clock.now();
    await this.deps.store.write(async (records, record) => {
      await records.updateMeeting(meeting.id, { status: 'ended', endedAtMs: now, locked: true });
      await records.updateSessions(meeting.id, ['waiting', 'admitted'], { state: 'left', updatedAtMs: now });
      await record({ action: 'room.end', outcome: 'success', actor, target: meeting.id, sourceIp });
    });
    this.deps.streams.ended(meeting.id);
    return view({ ...meeting, status: 'ended', endedAtMs: now, locked: true }, members);
  }

  /** Ends every wait in the meeting's lobby (state `left`, one audit entry each); returns the sessions. */
  private async sendAwayWaiting(
    records: MeetingRecords,
    record: AuditAppend,
    meetingId: string,
    actor: string,
  ): Promise<string[]> {
    const waiting = await records.participantsIn(meetingId, ['waiting']);
    const now = this.deps.clock.now();
    for (const participant of waiting) {
      await records.updateParticipant(participant.id, { state: 'left', updatedAtMs: now });
      await record({
        action: 'room.lobby.locked-out',
        outcome: 'success',
        actor,
        target: participant.id,
        details: { meeting: meetingId, user: participant.userId },
      });
    }
    return waiting.map((participant) => participant.id);
  }

  /** Calls the SFU outside any transaction; a refusal or silence is audited as a failure and rethrown. */
  private async onSfu(
    call: () => Promise<unknown>,
    failure: {
      action: string;
      actor: string;
      target: string;
      details?: Details;
      sourceIp: string | undefined;
      power: string;
    },
  ): Promise<void> {
    try {
      await call();
    } catch (error) {
      await this.deps.store.recordAlone({
        action: failure.action,
        outcome: 'failure',
        actor: failure.actor,
        target: failure.target,
        reason: error instanceof ConclaveError ? error.code : 'media_unavailable',
        ...(failure.details !== undefined ? { details: failure.details } : {}),
        sourceIp: failure.sourceIp,
      });
      this.deps.metrics.rightsActions.inc({ action: failure.power, outcome: 'failure' });
      throw error;
    }
  }
}
