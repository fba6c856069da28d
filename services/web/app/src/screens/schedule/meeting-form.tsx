import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  Button,
  Checkbox,
  FieldError,
  Form,
  Input,
  Label,
  Link,
  Radio,
  RadioGroup,
  Text,
  TextField,
} from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { E2eeSuite } from '@conclave/protocol';
import { DirectoryPicker } from '../../directory/directory-picker';
import { hrefOf } from '../../router';
import { FIELDS, validate, type Field, type FieldErrors, type MeetingFormValues } from './meeting-form-model';
import { TimeZoneField } from './time-zone-field';
import { timeZones } from './zoned-time';

/**
 * The schedule / edit form: title, date, time, time zone, duration, invitees, co-organisers, label, E2EE suite,
 * lobby. Each refusal is written next to its field, and focus goes to the first field in error.
 */
export function MeetingForm(props: {
  initial: MeetingFormValues;
  submitLabel: string;
  /** Whether the co-organisers can be changed (the organiser alone may). */
  coOrganisers: boolean;
  /** The suite is fixed once someone entered the meeting. */
  suiteLocked: boolean;
  busy: boolean;
  onSubmit: (values: MeetingFormValues) => void;
}) {
  const { t } = useTranslation();
  const zones = useMemo(timeZones, []);
  const [values, setValues] = useState(props.initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempt, setAttempt] = useState(0);
  const refs: Record<Field, React.RefObject<HTMLInputElement | null>> = {
    title: useRef(null),
    date: useRef(null),
    time: useRef(null),
    timeZone: useRef(null),
    duration: useRef(null),
    classification: useRef(null),
  };

  useEffect(() => {
    const first = FIELDS.find((field) => errors[field] !== undefined);
    if (first !== undefined) refs[first].current?.focus();
    // Runs after each submission only (a field corrected since keeps the focus where the person is).
  }, [attempt]);

  const set =
    <K extends keyof MeetingFormValues>(key: K) =>
    (value: MeetingFormValues[K]) =>
      setValues((current) => ({ ...current, [key]: value }));
  const message = (field: Field) =>
    errors[field] !== undefined ? t(`schedule.errors.${errors[field]}`) : undefined;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const found = validate(values, zones, new Date());
    setErrors(found);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length === 0) props.onSubmit(values);
  }

  const text = (field: 'title' | 'duration' | 'classification', type?: string) => (
    <TextField
      className="field"
      value={values[field]}
      onChange={set(field)}
      isInvalid={errors[field] !== undefined}
      isRequired={field !== 'classification'}
      validationBehavior="aria"
    >
      <Label>{t(`schedule.form.${field}`)}</Label>
      <Input ref={refs[field]} {...(type !== undefined ? { inputMode: 'numeric' as const } : {})} />
      {field === 'classification' && <Text slot="description">{t('schedule.form.classificationHelp')}</Text>}
      <FieldError>{message(field)}</FieldError>
    </TextField>
  );

  return (
    <Form onSubmit={submit} validationBehavior="aria" className="schedule-form">
      {text('title')}
      <div className="field-row">
        <TextField
          className="field"
          value={values.date}
          onChange={set('date')}
          isInvalid={errors.date !== undefined}
          isRequired
          validationBehavior="aria"
        >
          <Label>{t('schedule.form.date')}</Label>
          <Input ref={refs.date} type="date" />
          <FieldError>{message('date')}</FieldError>
        </TextField>
        <TextField
          className="field"
          value={values.time}
          onChange={set('time')}
          isInvalid={errors.time !== undefined}
          isRequired
          validationBehavior="aria"
        >
          <Label>{t('schedule.form.time')}</Label>
          <Input ref={refs.time} type="time" />
          <FieldError>{message('time')}</FieldError>
        </TextField>
        {text('duration', 'numeric')}
      </div>
      <TimeZoneField
        value={values.timeZone}
        onChange={set('timeZone')}
        zones={zones}
        inputRef={refs.timeZone}
        {...(errors.timeZone !== undefined ? { error: message('timeZone') } : {})}
      />
      <DirectoryPicker
        label={t('schedule.form.invitees')}
        value={values.invitees}
        onChange={set('invitees')}
        groups
      />
      {props.coOrganisers && (
        <DirectoryPicker
          label={t('schedule.form.coOrganisers')}
          value={values.coOrganisers}
          onChange={set('coOrganisers')}
        />
      )}
      {text('classification')}
      <RadioGroup
        className="field radio-group"
        value={values.e2eeSuite}
        onChange={(value) => set('e2eeSuite')(value as E2eeSuite)}
        isDisabled={props.suiteLocked}
      >
        <Label className="group-label">{t('schedule.form.suite')}</Label>
        <Radio className="radio" value="aes256">
          <span>
            <strong>{t('schedule.form.suiteStandard')}</strong> — {t('schedule.form.suiteStandardHelp')}
          </span>
        </Radio>
        <Radio className="radio" value="xwing-pq">
          <span>
            <strong>{t('schedule.form.suitePq')}</strong> — {t('schedule.form.suitePqHelp')}
          </span>
        </Radio>
        {props.suiteLocked && <Text slot="description">{t('schedule.form.suiteLocked')}</Text>}
      </RadioGroup>
      <fieldset className="field checkboxes">
        <legend>{t('schedule.form.lobbyTitle')}</legend>
        <Checkbox className="checkbox" isSelected={values.lobby} onChange={set('lobby')}>
          <span className="checkbox-box" aria-hidden="true" />
          <span>{t('schedule.form.lobby')}</span>
        </Checkbox>
        <Checkbox
          className="checkbox"
          isSelected={values.lobby && values.autoAdmitInvitees}
          onChange={set('autoAdmitInvitees')}
          isDisabled={!values.lobby}
        >
          <span className="checkbox-box" aria-hidden="true" />
          <span>{t('schedule.form.autoAdmit')}</span>
        </Checkbox>
      </fieldset>
      <div className="actions">
        <Button type="submit" className="button primary" isDisabled={props.busy}>
          {props.submitLabel}
        </Button>
        <Link className="button secondary" href={hrefOf('meetings')}>
          {t('schedule.form.back')}
        </Link>
      </div>
    </Form>
  );
}
