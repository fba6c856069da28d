import {
  MEDIA_SOURCES,
  RIGHTS,
  type MediaSource,
  type ParticipantRole,
  type Right,
} from '@conclave/protocol';
import type { Caller } from '../auth/access-token-verifier';
import type { MeetingMemberRow, MeetingRow } from '../persistence/entities';

/** Minimal rights of an invitee: speak, show a camera, see what is shared, chat. Sharing is the organisers'. */
export const PARTICIPANT_RIGHTS: readonly Right[] = ['produce:audio', 'produce:video', 'consume', 'chat'];
/** Organisers and co-organisers may also share their screen. */
export const ORGANISER_RIGHTS: readonly Right[] = RIGHTS;

/** Roles allowed to schedule or create meetings. */
export const SCHEDULING_ROLES = ['organiser', 'admin'] as const;

export const userPrincipal = (userId: string) => `user:${userId}`;
export const groupPrincipal = (group: string) => `group:${group}`;

/** `rights` with `right` added or taken away, in the canonical order. */
export function withRight(rights: readonly Right[], right: Right, allowed: boolean): Right[] {
  const set = new Set(rights);
  if (allowed) set.add(right);
  else set.delete(right);
  return RIGHTS.filter((r) => set.has(r));
}

export function parseRights(text: string): Right[] {
  const held = new Set(text.split(',').filter((r) => r.length > 0));
  return RIGHTS.filter((r) => held.has(r));
}

export function formatRights(rights: readonly Right[]): string {
  return RIGHTS.filter((r) => rights.includes(r)).join(',');
}

/** Sources an organiser muted, stored comma-separated in the canonical order. */
export function parseSources(text: string): MediaSource[] {
  const held = new Set(text.split(',').filter((s) => s.length > 0));
  return MEDIA_SOURCES.filter((s) => held.has(s));
}

/** `sources` with `source` added (muted) or taken away (released), comma-separated. */
export function withSource(text: string, source: MediaSource, muted: boolean): string {
  const set = new Set(parseSources(text));
  if (muted) set.add(source);
  else set.delete(source);
  return MEDIA_SOURCES.filter((s) => set.has(s)).join(',');
}

/** The organiser, or a co-organiser named at scheduling or promoted since; null for everyone else. */
export function organiserRole(
  meeting: MeetingRow,
  members: readonly MeetingMemberRow[],
  userId: string,
): Exclude<ParticipantRole, 'participant'> | null {
  if (meeting.organiserId === userId) return 'organiser';
  return members.some((m) => m.principal === userPrincipal(userId) && m.role === 'co-organiser')
    ? 'co-organiser'
    : null;
}

/** Invited as a user, as a member of an invited group, or as an organiser. */
export function isInvited(
  meeting: MeetingRow,
  members: readonly MeetingMemberRow[],
  caller: Caller,
): boolean {
  if (organiserRole(meeting, members, caller.userId) !== null) return true;
  const principals = new Set([userPrincipal(caller.userId), ...caller.groups.map(groupPrincipal)]);
  return members.some((m) => principals.has(m.principal));
}

export function isAutoAdmitted(members: readonly MeetingMemberRow[], userId: string): boolean {
  return members.some((m) => m.principal === userPrincipal(userId) && m.autoAdmit);
}

/**
 * How far a person's organiser powers reach in a meeting: the organiser (`owner`) and the co-organisers named at
 * scheduling (`delegate`, the delegation the organiser chose) over everyone; a participant promoted during the
 * meeting (`promoted`) over everyone else but them. Null for people without powers.
 */
export type Authority = 'owner' | 'delegate' | 'promoted';

export function authority(
  meeting: MeetingRow,
  members: readonly MeetingMemberRow[],
  userId: string,
): Authority | null {
  if (meeting.organiserId === userId) return 'owner';
  const member = members.find((m) => m.principal === userPrincipal(userId) && m.role === 'co-organiser');
  if (member === undefined) return null;
  return member.promoted ? 'promoted' : 'delegate';
}

/** Whether a person with `actor` authority may exercise a power over a person with `target` authority. */
export function mayActOn(actor: Authority, target: Authority | null): boolean {
  return actor !== 'promoted' || target === null || target === 'promoted';
}
