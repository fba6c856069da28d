import { createStore } from '../../store';

/** What the schedule / edit screen did, for My meetings to announce once it shows the list again. */
const notice = createStore<string | undefined>(undefined);

export function leaveScheduleNotice(text: string): void {
  notice.set(text);
}

/** The notice left for My meetings, handed over once. */
export function takeScheduleNotice(): string | undefined {
  const text = notice.get();
  notice.set(undefined);
  return text;
}
