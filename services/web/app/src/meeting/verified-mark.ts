/**
 * The "verified" mark of the security panel: the person compared the safety code aloud with everyone present
 * and found it equal. It holds for one meeting and for the members who were there when it was given: a new
 * member (a leaf whose key was not in the group before — someone joining, or a device rejoining) takes it away
 * and says so, because the new member was never part of that comparison. A key rotation alone (an update
 * commit: same members, new epoch and code) and a departure (fewer people, none of them unverified) keep it.
 */
export interface VerifiedMark {
  readonly verified: boolean;
  /** The members the mark was checked against (one key per MLS leaf), undefined before the first epoch. */
  readonly members: readonly string[] | undefined;
  /** True when the mark was just taken away because someone joined (until the person marks again). */
  readonly reset: boolean;
}

export type VerifiedMarkEvent =
  /** The person marks the code as compared, or takes the mark away. */
  | { readonly type: 'mark'; readonly verified: boolean }
  /** The group's members in a new epoch. */
  | { readonly type: 'members'; readonly members: readonly string[] }
  /** This client lost its place in the group (reconnecting): nothing checked still holds. */
  | { readonly type: 'left-group' };

export const UNVERIFIED: VerifiedMark = { verified: false, members: undefined, reset: false };

export function nextVerifiedMark(mark: VerifiedMark, event: VerifiedMarkEvent): VerifiedMark {
  switch (event.type) {
    case 'mark':
      // Nothing to have compared before the group has keys.
      if (mark.members === undefined) return mark;
      return { ...mark, verified: event.verified, reset: false };
    case 'members': {
      const before = new Set(mark.members ?? []);
      const someoneNew = mark.members !== undefined && event.members.some((key) => !before.has(key));
      if (!someoneNew) return { ...mark, members: event.members };
      return { verified: false, members: event.members, reset: mark.verified || mark.reset };
    }
    case 'left-group':
      return { verified: false, members: undefined, reset: mark.verified || mark.reset };
  }
}
