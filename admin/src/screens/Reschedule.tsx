import { Alert, Button, Card, Checkbox, Group, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from '../api';
import type { ScreenProps } from '../App';
import { graphql } from '../gql';
import { dayOf, timeIn } from '../format';
import { useLang, useT } from '../i18n';
import { DataTable, Errors, Loading, StatusBadge, When } from '../ui';

const REGISTRATION = graphql(`
  query RescheduleRegistration($id: ID!) {
    registration(id: $id) {
      id
      learner { givenName familyName proctoringProfile { timeZone } }
      session { id courseTitle timeZone }
      appointments { id startsAt status priority }
      incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference appointment { id startsAt } }
    }
  }
`);

const SLOTS = graphql(`
  query PrioritySlots($sessionId: ID!, $timeZone: String) {
    availableSlots(sessionId: $sessionId, timeZone: $timeZone) { startsAt localStart remainingCapacity }
  }
`);

const REPORT = graphql(`
  mutation ReportIncident($input: ReportProviderIncidentInput!) {
    reportProviderIncident(input: $input) { incident { id } errors { code message field } }
  }
`);

const CONFIRM = graphql(`
  mutation ConfirmIncident($input: ConfirmProviderIncidentInput!) {
    confirmProviderIncident(input: $input) { incident { id priorityRebookingAvailable } errors { code message field } }
  }
`);

const BOOK = graphql(`
  mutation BookPriority($input: BookPriorityAppointmentInput!) {
    bookPriorityAppointment(input: $input) { appointment { id startsAt priority } errors { code message field } }
  }
`);

const KINDS = ['DISCONNECTION', 'PROCTOR_UNAVAILABLE', 'SOFTWARE_FAILURE', 'OTHER'] as const;

/** Reschedule after a fault (SUPPORT): record the incident, confirm it, book a priority slot (R-SCH-7). */
export function Reschedule({ params }: ScreenProps) {
  const t = useT();
  const [regId, setRegId] = useState(params.get('registration') ?? '');
  const id = params.get('registration') ?? regId;
  const q = useQuery(REGISTRATION, { id }, { skip: !id });
  const r = q.data?.registration;
  // Kept here, not in PrioritySlots: the refetch after a booking removes the slots (the incident's
  // priority rebooking is used), and the confirmation must stay on screen.
  const [booked, setBooked] = useState<string>();
  return (
    <Stack>
      <Title order={1}>{t('reschedule')}</Title>
      {!params.get('registration') && <TextInput label={t('registrationId')} value={regId} onChange={(e) => setRegId(e.currentTarget.value)} />}
      <Errors error={q.error} />
      <Loading on={q.loading} />
      {booked && <Alert color="green" role="status">{t('booked')}: <When iso={booked} /></Alert>}
      {r && (
        <>
          <Text>{r.learner.givenName} {r.learner.familyName} · {r.session.courseTitle}</Text>
          <DataTable head={[t('startsAt'), t('status'), t('priority')]} rows={r.appointments.map((a) => [<When key="a" iso={a.startsAt} />, <StatusBadge key="s" status={a.status} />, a.priority ? '✓' : ''])} />
          <ReportIncident appointments={r.appointments.filter((a) => a.status === 'BOOKED')} onDone={q.refetch} />
          {r.incidents.map((i) => (
            <Card key={i.id} withBorder>
              <Stack gap="xs">
                <Text fw={600}>{t('incidents')}: {i.kind} · <When iso={i.occurredAt} /></Text>
                {!i.confirmedByProvider && <ConfirmIncident incidentId={i.id} onDone={q.refetch} />}
                {i.confirmedByProvider && <Text size="sm">{t('confirmedByProvider')}: {i.providerReference}</Text>}
                {i.priorityRebookingAvailable && (
                  <PrioritySlots
                    registrationId={r.id}
                    incidentId={i.id}
                    sessionId={r.session.id}
                    sessionZone={r.session.timeZone}
                    learnerZone={r.learner.proctoringProfile.timeZone ?? r.session.timeZone}
                    onDone={(startsAt) => {
                      setBooked(startsAt);
                      void q.refetch();
                    }}
                  />
                )}
              </Stack>
            </Card>
          ))}
        </>
      )}
    </Stack>
  );
}

function ReportIncident({ appointments, onDone }: { appointments: { id: string; startsAt: string }[]; onDone: () => void }) {
  const t = useT();
  const { lang } = useLang();
  const [appointmentId, setAppointmentId] = useState<string | null>(null);
  const [kind, setKind] = useState<string | null>('DISCONNECTION');
  const [description, setDescription] = useState('');
  const [occurredAt, setOccurredAt] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [reference, setReference] = useState('');
  const m = useMutation(REPORT, (r) => r.reportProviderIncident);
  if (!appointments.length) return null;
  const submit = async () => {
    const at = occurredAt ? new Date(occurredAt).toISOString() : '';
    const r = await m.run({ input: { appointmentId: appointmentId ?? appointments[0].id, kind: kind as (typeof KINDS)[number], description, occurredAt: at, confirmedByProvider: confirmed, providerReference: reference || null } });
    if (r) onDone();
  };
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">{t('recordIncident')}</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label={t('appointments')} value={appointmentId ?? appointments[0].id} onChange={setAppointmentId} data={appointments.map((a) => ({ value: a.id, label: `${dayOf(a.startsAt)} ${timeIn(a.startsAt, 'Europe/Paris', lang)}` }))} allowDeselect={false} />
          <Select label={t('kind')} value={kind} onChange={setKind} data={[...KINDS]} allowDeselect={false} error={m.fieldError('kind')} />
          <TextInput label={`${t('occurredAt')} (ISO, ex. 2017-03-06T14:10:00Z)`} value={occurredAt} onChange={(e) => setOccurredAt(e.currentTarget.value)} error={m.fieldError('occurredAt')} />
          <TextInput label={t('providerReference')} value={reference} onChange={(e) => setReference(e.currentTarget.value)} error={m.fieldError('providerReference')} />
        </SimpleGrid>
        <Textarea label={t('description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={m.fieldError('description')} />
        <Checkbox label={t('confirmedByProvider')} checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
        <Errors errors={m.otherErrors(['kind', 'occurredAt', 'providerReference', 'description'])} failure={m.failure} />
        <Group><Button onClick={() => void submit()} loading={m.running}>{t('recordIncident')}</Button></Group>
      </Stack>
    </Card>
  );
}

function ConfirmIncident({ incidentId, onDone }: { incidentId: string; onDone: () => void }) {
  const t = useT();
  const [reference, setReference] = useState('');
  const m = useMutation(CONFIRM, (r) => r.confirmProviderIncident);
  return (
    <Group align="start">
      <TextInput label={t('providerReference')} value={reference} onChange={(e) => setReference(e.currentTarget.value)} error={m.fieldError('providerReference')} />
      <Button mt={24} onClick={async () => (await m.run({ input: { incidentId, providerReference: reference } })) && onDone()} loading={m.running}>{t('confirmIncident')}</Button>
      <Errors errors={m.otherErrors(['providerReference'])} failure={m.failure} />
    </Group>
  );
}

/** A calendar of the bookable slots: one column per day, times in the learner's zone and the session's. */
function PrioritySlots(p: { registrationId: string; incidentId: string; sessionId: string; sessionZone: string; learnerZone: string; onDone: (startsAt: string | undefined) => void }) {
  const t = useT();
  const { lang } = useLang();
  const slots = useQuery(SLOTS, { sessionId: p.sessionId, timeZone: p.learnerZone });
  const book = useMutation(BOOK, (r) => r.bookPriorityAppointment);
  const days = new Map<string, { startsAt: string; remainingCapacity: number }[]>();
  for (const s of slots.data?.availableSlots ?? []) {
    const d = dayOf(s.startsAt, p.sessionZone);
    days.set(d, [...(days.get(d) ?? []), s]);
  }
  const [day, setDay] = useState<string | null>(null);
  const shownDay = day ?? [...days.keys()][0] ?? null;
  const pick = async (startsAt: string) => {
    const r = await book.run({ input: { registrationId: p.registrationId, incidentId: p.incidentId, startsAt } });
    if (r) p.onDone(r.bookPriorityAppointment.appointment?.startsAt);
  };
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">{t('pickSlot')}</Title>
      <Text size="sm">{t('learnerZone')}: {p.learnerZone} · {t('sessionZone')}: {p.sessionZone}</Text>
      <Loading on={slots.loading || book.running} />
      <Errors error={slots.error} errors={book.errors} failure={book.failure} />
      {days.size > 0 && <Select label={t('day')} value={shownDay} onChange={setDay} data={[...days.keys()]} allowDeselect={false} maw={240} />}
      <Group gap="xs">
        {(shownDay ? days.get(shownDay) ?? [] : []).map((s) => (
          <Button key={s.startsAt} variant="light" size="xs" disabled={book.running} onClick={() => void pick(s.startsAt)} aria-label={`${t('book')} ${shownDay} ${timeIn(s.startsAt, p.learnerZone, lang)}`}>
            {timeIn(s.startsAt, p.learnerZone, lang)} ({timeIn(s.startsAt, p.sessionZone, lang)}) · {s.remainingCapacity}
          </Button>
        ))}
      </Group>
    </Stack>
  );
}
