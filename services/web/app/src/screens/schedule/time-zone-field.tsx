import { useMemo, type Ref } from 'react';
import {
  ComboBox,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Text,
} from 'react-aria-components';
import { useTranslation } from 'react-i18next';

/** A searchable list of the browser's IANA time zones (typing filters it; the text typed is the value). */
export function TimeZoneField(props: {
  value: string;
  onChange: (value: string) => void;
  zones: readonly string[];
  error?: string;
  inputRef: Ref<HTMLInputElement>;
}) {
  const { t } = useTranslation();
  const items = useMemo(() => props.zones.map((zone) => ({ id: zone })), [props.zones]);
  return (
    <ComboBox
      className="field"
      items={items}
      inputValue={props.value}
      onInputChange={props.onChange}
      allowsCustomValue
      menuTrigger="input"
      isInvalid={props.error !== undefined}
    >
      <Label>{t('schedule.form.timeZone')}</Label>
      <Input ref={props.inputRef} />
      <Text slot="description">{t('schedule.form.timeZoneHelp')}</Text>
      <FieldError>{props.error}</FieldError>
      <Popover className="zone-popover">
        <ListBox className="zone-list">
          {(item: { id: string }) => (
            <ListBoxItem className="zone-option" id={item.id} textValue={item.id}>
              {item.id}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
