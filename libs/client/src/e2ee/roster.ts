import { readMemberStatement, type MemberInfo } from '@conclave/e2ee';

/** One person in the encrypted group: a signed-in user, with one leaf per device (participant session). */
export interface RosterPerson {
  readonly userId: string;
  /** The display name room control signed into the person's credential (of its first device, in leaf order). */
  readonly displayName: string;
  /** How many devices (MLS members) the person has in the group. */
  readonly devices: number;
  readonly participantIds: readonly string[];
}

/** One membership change between two epochs, to announce to the user. */
export interface MembershipChange {
  readonly kind: 'joined' | 'left';
  readonly userId: string;
  readonly displayName: string;
  readonly participantId: string;
  /** The person's devices in the group after the change. */
  readonly devices: number;
}

interface Device {
  readonly userId: string;
  readonly displayName: string;
  readonly participantId: string;
  readonly key: string;
}

/** Who a member is, from its credential (already verified by the MLS Authentication Service). */
function deviceOf(member: MemberInfo): Device {
  const statement = readMemberStatement(member.credential);
  return {
    userId: member.userId,
    displayName: statement?.displayName ?? member.userId,
    participantId: statement?.participantId ?? '',
    key: `${member.leafIndex}:${Array.from(member.signaturePublicKey).join(',')}`,
  };
}

/** The group's members grouped by person (user id), in order of first leaf. */
export function peopleOf(members: readonly MemberInfo[]): RosterPerson[] {
  const people = new Map<string, { displayName: string; participantIds: string[] }>();
  for (const device of members.map(deviceOf)) {
    const person = people.get(device.userId);
    if (person === undefined)
      people.set(device.userId, { displayName: device.displayName, participantIds: [device.participantId] });
    else person.participantIds.push(device.participantId);
  }
  return [...people].map(([userId, p]) => ({
    userId,
    displayName: p.displayName,
    devices: p.participantIds.length,
    participantIds: p.participantIds,
  }));
}

/** Every member that joined or left between `before` and `after` (a leaf with a new key is a new member). */
export function membershipChanges(
  before: readonly MemberInfo[],
  after: readonly MemberInfo[],
): MembershipChange[] {
  const was = before.map(deviceOf);
  const now = after.map(deviceOf);
  const count = (devices: Device[], userId: string) => devices.filter((d) => d.userId === userId).length;
  const change = (kind: MembershipChange['kind'], d: Device): MembershipChange => ({
    kind,
    userId: d.userId,
    displayName: d.displayName,
    participantId: d.participantId,
    devices: count(now, d.userId),
  });
  return [
    ...was.filter((d) => !now.some((n) => n.key === d.key)).map((d) => change('left', d)),
    ...now.filter((d) => !was.some((w) => w.key === d.key)).map((d) => change('joined', d)),
  ];
}
