import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { E2eeSuite } from '@conclave/protocol';

/** A meeting: who organises it, when, and its policy. Content is never stored. */
@Entity({ name: 'meetings' })
export class MeetingRow {
  /** 128 random bits, base64url: the id alone lets nobody in. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'scheduled' | 'instant';

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ name: 'starts_at_ms', type: 'bigint' })
  startsAtMs!: string | number;

  @Column({ name: 'ends_at_ms', type: 'bigint' })
  endsAtMs!: string | number;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  @Column({ name: 'organiser_id', type: 'varchar', length: 128 })
  organiserId!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  classification!: string | null;

  @Column({ type: 'boolean' })
  lobby!: boolean;

  @Column({ type: 'boolean' })
  knock!: boolean;

  @Column({ type: 'boolean' })
  locked!: boolean;

  /** The MLS suite of the meeting's end-to-end encryption (security setting), fixed at creation. */
  @Column({ name: 'e2ee_suite', type: 'varchar', length: 16, default: 'aes256' })
  e2eeSuite!: E2eeSuite;

  @Column({ type: 'varchar', length: 16 })
  status!: 'scheduled' | 'live' | 'ended' | 'cancelled';

  /** The number of the meeting's last change of rights, mute, removal or end (strictly increasing). */
  @Column({ name: 'powers_version', type: 'integer', default: 0 })
  powersVersion!: number;

  @Column({ name: 'created_at_ms', type: 'bigint' })
  createdAtMs!: string | number;

  @Column({ name: 'ended_at_ms', type: 'bigint', nullable: true })
  endedAtMs!: string | number | null;
}

/** Who a meeting is for: `user:<id>` or `group:<name>`, as co-organiser or invitee. */
@Entity({ name: 'meeting_members' })
export class MeetingMemberRow {
  @PrimaryColumn({ name: 'meeting_id', type: 'varchar', length: 32 })
  meetingId!: string;

  @PrimaryColumn({ type: 'varchar', length: 160 })
  principal!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: 'co-organiser' | 'invitee';

  @Column({ name: 'auto_admit', type: 'boolean' })
  autoAdmit!: boolean;

  /** A co-organiser promoted during the meeting (not named at scheduling): no power over those who were. */
  @Column({ type: 'boolean', default: false })
  promoted!: boolean;
}

/** One person's presence in a meeting: waiting, admitted, refused, removed (barred) or gone. */
@Entity({ name: 'participants' })
@Index('idx_participants_meeting_user', ['meetingId', 'userId'])
export class ParticipantRow {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'meeting_id', type: 'varchar', length: 32 })
  meetingId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 128 })
  displayName!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: 'waiting' | 'admitted' | 'refused' | 'removed' | 'left';

  /** Comma-separated rights. */
  @Column({ type: 'varchar', length: 128 })
  rights!: string;

  /** Comma-separated sources an organiser muted; the SFU refuses to resume them until released. */
  @Column({ type: 'varchar', length: 64, default: '' })
  paused!: string;

  /** The meeting's powers version of this session's last change; stamped into its join tickets (`pv`). */
  @Column({ name: 'powers_version', type: 'integer', default: 0 })
  powersVersion!: number;

  @Column({ name: 'created_at_ms', type: 'bigint' })
  createdAtMs!: string | number;

  @Column({ name: 'updated_at_ms', type: 'bigint' })
  updatedAtMs!: string | number;
}

export const ROOMS_ENTITIES = [MeetingRow, MeetingMemberRow, ParticipantRow];
