import { useRef, useState } from 'react';
import {
  Button,
  ComboBox,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Tag,
  TagGroup,
  TagList,
  Text,
} from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { DIRECTORY_SEARCH_MIN_LENGTH } from '@conclave/protocol';
import { useDirectorySearch } from './use-directory-search';

/** A person or a directory group chosen as an invitee or a co-organiser. */
export interface DirectoryEntry {
  kind: 'user' | 'group';
  /** The stable id room control stores (user id or group name). */
  id: string;
  displayName: string;
}

const keyOf = (entry: DirectoryEntry) => `${entry.kind}:${entry.id}`;

/**
 * Picks users and groups from a search of the directory: type part of a name, choose in the list (keyboard or
 * pointer), and the choice joins the removable tags under the field.
 */
export function DirectoryPicker(props: {
  label: string;
  value: DirectoryEntry[];
  onChange: (value: DirectoryEntry[]) => void;
  /** Offer groups as well as users. */
  groups?: boolean;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const search = useDirectorySearch(text, props.groups === true ? undefined : 'user');
  const chosen = new Set(props.value.map(keyOf));
  const items = search.entries.filter((entry) => !chosen.has(keyOf(entry)));
  const [announcement, setAnnouncement] = useState('');
  const latest = useRef(props.value);
  latest.current = props.value;

  const kindLabel = (entry: DirectoryEntry) =>
    t(entry.kind === 'group' ? 'directory.group' : 'directory.person');

  const emptyMessage =
    search.status === 'searching' || search.status === 'idle'
      ? t('directory.searching')
      : search.status === 'failed'
        ? t('directory.failed')
        : search.status === 'throttled'
          ? t('directory.throttled')
          : t('directory.none');

  return (
    <div className="field directory-picker">
      <ComboBox
        items={items}
        inputValue={text}
        onInputChange={setText}
        selectedKey={null}
        defaultFilter={() => true}
        // Open with a message while searching; closed once the field is emptied (after a choice, for one).
        allowsEmptyCollection={text.trim().length >= DIRECTORY_SEARCH_MIN_LENGTH}
        menuTrigger="input"
        onSelectionChange={(key) => {
          const entry = items.find((item) => keyOf(item) === key);
          if (entry === undefined) return;
          props.onChange([...latest.current, entry]);
          setText('');
          setAnnouncement(t('directory.added', { name: entry.displayName }));
        }}
      >
        <Label>{props.label}</Label>
        <Input />
        <Text slot="description">{t(props.groups === true ? 'directory.hintGroups' : 'directory.hint')}</Text>
        <Popover className="directory-popover">
          <ListBox<DirectoryEntry>
            className="directory-results"
            renderEmptyState={() => <p className="hint directory-empty">{emptyMessage}</p>}
          >
            {(entry) => (
              <ListBoxItem id={keyOf(entry)} textValue={`${entry.displayName}, ${kindLabel(entry)}`}>
                <span>{entry.displayName}</span> <span className="entry-kind">{kindLabel(entry)}</span>
              </ListBoxItem>
            )}
          </ListBox>
        </Popover>
      </ComboBox>
      {props.value.length > 0 && (
        <TagGroup
          aria-label={t('directory.chosen', { label: props.label })}
          className="directory-chosen"
          onRemove={(keys) => {
            const removed = props.value.filter((entry) => keys.has(keyOf(entry)));
            props.onChange(props.value.filter((entry) => !keys.has(keyOf(entry))));
            if (removed[0] !== undefined)
              setAnnouncement(t('directory.removed', { name: removed[0].displayName }));
          }}
        >
          <TagList items={props.value}>
            {(entry) => (
              <Tag id={keyOf(entry)} textValue={`${entry.displayName}, ${kindLabel(entry)}`}>
                <span>{entry.displayName}</span> <span className="entry-kind">{kindLabel(entry)}</span>
                <Button slot="remove" aria-label={t('directory.remove', { name: entry.displayName })}>
                  <span aria-hidden="true">×</span>
                </Button>
              </Tag>
            )}
          </TagList>
        </TagGroup>
      )}
      <span className="visually-hidden" role="status">
        {announcement}
      </span>
    </div>
  );
}
