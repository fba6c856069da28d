import { useTranslation } from 'react-i18next';

/** A person or a directory group chosen as an invitee or a co-organiser. */
export interface DirectoryEntry {
  kind: 'user' | 'group';
  /** The stable id room control stores (user id or group name). */
  id: string;
  displayName: string;
}

/**
 * Picks users and groups from a search of the directory. Placeholder until the directory search lands: a
 * text field of comma-separated user ids.
 */
export function DirectoryPicker(props: {
  label: string;
  value: DirectoryEntry[];
  onChange: (value: DirectoryEntry[]) => void;
  /** Offer groups as well as users. */
  groups?: boolean;
}) {
  useTranslation();
  const id = `picker-${props.label.replace(/\W+/g, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        value={props.value.map((entry) => entry.id).join(', ')}
        onChange={(event) =>
          props.onChange(
            event.target.value
              .split(',')
              .map((part) => part.trim())
              .filter((part) => part !== '')
              .map((part) => ({ kind: 'user', id: part, displayName: part })),
          )
        }
      />
    </div>
  );
}
