import { Anchor, Button, Card, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { usePaged, useQuery } from '../api';
import type { ScreenProps } from '../App';
import { graphql } from '../gql';
import { money } from '../format';
import { useLang, useT } from '../i18n';
import { href, navigate } from '../router';
import { DataTable, Errors, Loading, Pager, StatusBadge, When } from '../ui';
import { RefundRequestForm } from './RefundRequestForm';

const LEARNERS = graphql(`
  query Learners($search: String, $first: Int, $after: String) {
    learners(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id email username givenName familyName externalId } }
    }
  }
`);

const LEARNER = graphql(`
  query Learner360($id: ID!) {
    learner(id: $id) {
      id email username givenName familyName externalId
      proctoringProfile { complete timeZone city country }
      equipmentChecks { id checkedAt compatible failedRequirements operatingSystem osVersion }
      registrations {
        id status nextStep createdAt termsAcceptedAt requirementsAcknowledgedAt nameLockedAt cancelledAt
        session { id courseTitle timeZone }
        payment { id amountCents currency paidAt status numTrans refundedCents }
        refundRequests { id status reason amountCents requestedAt }
        appointments { id startsAt status priority bookedBy cancellationReason }
        incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference }
        attempts { id status startedAt submittedAt voidReason }
        result { id status percent passed publishedAt }
        certificate { id status issuedAt verificationCode }
        fraudCases { id status openedAt decidedAt summary }
      }
    }
  }
`);

/** Learner 360 (SUPPORT): search, then everything about one learner on one page (R-SUP-1). */
export function Learner360({ path }: ScreenProps) {
  const id = path.slice(1);
  return id ? <LearnerPage id={id} /> : <LearnerSearch />;
}

function LearnerSearch() {
  const t = useT();
  const [text, setText] = useState('');
  const [search, setSearch] = useState<string>();
  const list = usePaged(LEARNERS, { search, first: 20 }, (r) => r.learners, { skip: search === undefined });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch(text.trim());
  };
  return (
    <Stack>
      <Title order={1}>{t('learner360')}</Title>
      <form onSubmit={submit}>
        <Group align="end">
          <TextInput label={t('search')} description={t('searchHint')} value={text} onChange={(e) => setText(e.currentTarget.value)} style={{ flex: 1, minWidth: 200 }} />
          <Button type="submit">{t('search')}</Button>
        </Group>
      </form>
      <Errors error={list.error} />
      <Loading on={list.loading} />
      {search !== undefined && !list.loading && (
        <>
          <DataTable
            head={[t('name'), t('email'), t('username'), t('externalId')]}
            rows={list.nodes.map((l) => [
              <Anchor key="n" href={href(`/learners/${l.id}`)} onClick={(e) => (e.preventDefault(), navigate(`/learners/${l.id}`))}>{l.givenName} {l.familyName}</Anchor>,
              l.email, l.username, l.externalId,
            ])}
          />
          <Pager count={list.nodes.length} total={list.totalCount} hasMore={list.hasMore} loadMore={() => void list.loadMore()} loading={list.loadingMore} />
        </>
      )}
    </Stack>
  );
}

function LearnerPage({ id }: { id: string }) {
  const t = useT();
  const { lang } = useLang();
  const q = useQuery(LEARNER, { id });
  const l = q.data?.learner;
  const [refundFor, setRefundFor] = useState<string>();
  return (
    <Stack>
      <Anchor href={href('/learners')} onClick={(e) => (e.preventDefault(), navigate('/learners'))}>← {t('back')}</Anchor>
      <Errors error={q.error} />
      <Loading on={q.loading} />
      {l && (
        <>
          <Title order={1}>{l.givenName} {l.familyName}</Title>
          <Text>{l.email} · {l.username} · {t('externalId')} {l.externalId} · {l.proctoringProfile.timeZone ?? '—'}</Text>
          {l.registrations.map((r) => (
            <Card key={r.id} withBorder>
              <Stack gap="sm">
                <Group justify="space-between">
                  <Title order={2} size="h3">{r.session.courseTitle}</Title>
                  <Group gap="xs"><StatusBadge status={r.status} /><Text size="sm">{t('nextStep')}: {r.nextStep}</Text></Group>
                </Group>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <Text size="sm">{t('registration')}: <When iso={r.createdAt} /></Text>
                  <Text size="sm">CGV / terms: <When iso={r.termsAcceptedAt} /></Text>
                  <Text size="sm">Prérequis / requirements: <When iso={r.requirementsAcknowledgedAt} /></Text>
                  <Text size="sm">Nom verrouillé / name locked: <When iso={r.nameLockedAt} /></Text>
                </SimpleGrid>
                <Title order={3} size="h4">{t('payment')}</Title>
                {r.payment ? (
                  <Text size="sm">{money(r.payment.amountCents, r.payment.currency, lang)} · <When iso={r.payment.paidAt} /> · {t('ticket')} {r.payment.numTrans} · <StatusBadge status={r.payment.status} /></Text>
                ) : <Text size="sm" c="dimmed">{t('none')}</Text>}
                <Title order={3} size="h4">{t('refundRequests')}</Title>
                <DataTable head={[t('requestedAt'), t('reason'), t('amount'), t('status')]} rows={r.refundRequests.map((x) => [<When key="a" iso={x.requestedAt} />, x.reason, money(x.amountCents, 'EUR', lang), <StatusBadge key="s" status={x.status} />])} />
                <Title order={3} size="h4">{t('appointments')}</Title>
                <DataTable head={[t('startsAt'), t('status'), t('priority'), t('reason')]} rows={r.appointments.map((a) => [<When key="a" iso={a.startsAt} />, <StatusBadge key="s" status={a.status} />, a.priority ? '✓' : '', a.cancellationReason ?? ''])} />
                <Title order={3} size="h4">{t('incidents')}</Title>
                <DataTable head={[t('occurredAt'), t('kind'), t('confirmedByProvider'), t('providerReference')]} rows={r.incidents.map((i) => [<When key="a" iso={i.occurredAt} />, i.kind, i.confirmedByProvider ? '✓' : '✗', i.providerReference ?? ''])} />
                <Title order={3} size="h4">{t('attempts')} / {t('result')}</Title>
                <DataTable head={[t('status'), t('startedAt'), t('finishedAt'), t('reason')]} rows={r.attempts.map((a) => [<StatusBadge key="s" status={a.status} />, <When key="b" iso={a.startedAt} />, <When key="c" iso={a.submittedAt} />, a.voidReason ?? ''])} />
                <Title order={3} size="h4">{t('certificate')} / {t('fraudCases')}</Title>
                {r.certificate ? <Text size="sm">{t('certificate')}: <StatusBadge status={r.certificate.status} /> <When iso={r.certificate.issuedAt} /> · {r.certificate.verificationCode}</Text> : <Text size="sm" c="dimmed">{t('certificate')}: {t('none')}</Text>}
                <DataTable head={[t('at'), t('status'), t('description')]} rows={r.fraudCases.map((f) => [<When key="a" iso={f.openedAt} />, <StatusBadge key="s" status={f.status} />, f.summary])} />
                {r.result && <Text size="sm">{t('result')}: <StatusBadge status={r.result.status} /> {r.result.percent.toFixed(1)} % {r.result.passed ? '✓' : '✗'}</Text>}
                {r.payment && refundFor === r.id && (
                  <RefundRequestForm
                    prefill={{ registrationId: r.id, paymentTicket: r.payment.numTrans, learnerFirstName: l.givenName, learnerLastName: l.familyName, username: l.username, email: l.email, incidents: r.incidents.map((i) => ({ id: i.id, label: `${i.kind} ${i.providerReference ?? ''}` })) }}
                    onDone={() => void q.refetch()}
                  />
                )}
                <Group>
                  {r.payment && refundFor !== r.id && <Button variant="light" onClick={() => setRefundFor(r.id)}>{t('requestRefund')}</Button>}
                  <Button component="a" href={href(`/reschedule?registration=${r.id}`)} variant="light" onClick={(e) => (e.preventDefault(), navigate(`/reschedule?registration=${r.id}`))}>{t('reschedule')}</Button>
                </Group>
              </Stack>
            </Card>
          ))}
          <Title order={2} size="h3">{t('equipmentChecks')}</Title>
          <DataTable head={[t('at'), 'OS', t('status'), t('blockers')]} rows={l.equipmentChecks.map((c) => [<When key="a" iso={c.checkedAt} />, `${c.operatingSystem} ${c.osVersion}`, c.compatible ? '✓' : '✗', c.failedRequirements.join(', ')])} />
        </>
      )}
    </Stack>
  );
}
