import { Anchor, Button, Card, Group, Select, SimpleGrid, Stack, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useMutation, usePaged, useQuery } from '../api';
import type { ScreenProps } from '../App';
import { graphql } from '../gql';
import { countdown } from '../format';
import { useLang, useT } from '../i18n';
import { href, navigate } from '../router';
import { DataTable, Errors, Loading, Pager, StatusBadge, When } from '../ui';
import { EvidenceList } from './Evidence';

const QUEUE = graphql(`
  query FraudQueue($first: Int, $after: String) {
    serverTime
    fraudCases(filter: { open: true }, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id status source summary openedAt purgeDeadline legalHold { placedAt releasedAt } registration { learner { givenName familyName } } } }
    }
  }
`);

const CASE = graphql(`
  query FraudCase($id: ID!) {
    serverTime
    fraudCase(id: $id) {
      id status source summary openedBy openedAt reviewer decidedAt decidedBy decisionReason purgeDeadline
      registration { id learner { givenName familyName email } session { courseTitle } }
      attempt { id status startedAt submittedAt }
      legalHold { placedBy placedAt reason releasedAt releasedBy releaseReason }
      history { at actor action fromStatus toStatus reason }
    }
  }
`);

const START = graphql(`mutation StartFraudReview($caseId: ID!) { startFraudReview(caseId: $caseId) { fraudCase { id status } errors { code message field } } }`);
const DECIDE = graphql(`mutation DecideFraudCase($input: DecideFraudCaseInput!) { decideFraudCase(input: $input) { fraudCase { id status } errors { code message field } } }`);
const HOLD = graphql(`mutation PlaceLegalHold($input: LegalHoldInput!) { placeLegalHold(input: $input) { fraudCase { id } errors { code message field } } }`);
const RELEASE = graphql(`mutation ReleaseLegalHold($input: LegalHoldInput!) { releaseLegalHold(input: $input) { fraudCase { id } errors { code message field } } }`);

/** "now" on the domain clock (serverTime), moving with real time since it was read. */
function useServerNow(serverTime: string | undefined): number {
  const [tick, setTick] = useState(() => Date.now());
  const [base] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setTick(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);
  return serverTime ? new Date(serverTime).getTime() + (tick - base) : tick;
}

/** Fraud review (CERTIFICATION): open cases by purge deadline with a countdown (R-EVI-5); one case. */
export function Fraud({ path, roles }: ScreenProps) {
  const id = path.slice(1);
  return id ? <CasePage id={id} admin={roles.includes('ADMIN')} /> : <Queue />;
}

function Queue() {
  const t = useT();
  const { lang } = useLang();
  const list = usePaged(QUEUE, { first: 25 }, (r) => r.fraudCases);
  const now = useServerNow(list.data?.serverTime);
  return (
    <Stack>
      <Title order={1}>{t('fraud')}</Title>
      <Text c="dimmed">{t('timesIn')}</Text>
      <Errors error={list.error} />
      <Loading on={list.loading} />
      <DataTable
        head={[t('purgeDeadline'), t('remaining'), t('name'), t('status'), t('legalHold'), t('description')]}
        rows={list.nodes.map((c) => [
          <Anchor key="a" href={href(`/fraud/${c.id}`)} onClick={(e) => (e.preventDefault(), navigate(`/fraud/${c.id}`))}><When iso={c.purgeDeadline} /></Anchor>,
          countdown(c.purgeDeadline, now, lang),
          `${c.registration.learner.givenName} ${c.registration.learner.familyName}`,
          <StatusBadge key="s" status={c.status} />,
          c.legalHold && !c.legalHold.releasedAt ? '⚖' : '',
          c.summary,
        ])}
      />
      <Pager count={list.nodes.length} total={list.totalCount} hasMore={list.hasMore} loadMore={() => void list.loadMore()} loading={list.loadingMore} />
    </Stack>
  );
}

function CasePage({ id, admin }: { id: string; admin: boolean }) {
  const t = useT();
  const { lang } = useLang();
  const q = useQuery(CASE, { id });
  const c = q.data?.fraudCase;
  const now = useServerNow(q.data?.serverTime);
  const start = useMutation(START, (r) => r.startFraudReview);
  return (
    <Stack>
      <Anchor href={href('/fraud')} onClick={(e) => (e.preventDefault(), navigate('/fraud'))}>← {t('back')}</Anchor>
      <Errors error={q.error} />
      <Loading on={q.loading} />
      {c && (
        <>
          <Group justify="space-between">
            <Title order={1}>{t('fraud')} · {c.registration.learner.givenName} {c.registration.learner.familyName}</Title>
            <StatusBadge status={c.status} />
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Text size="sm">{c.registration.session.courseTitle} · {c.registration.learner.email}</Text>
            <Text size="sm">{c.source} · {c.openedBy} · <When iso={c.openedAt} /></Text>
            <Text size="sm" fw={600}>{t('purgeDeadline')}: <When iso={c.purgeDeadline} /> ({countdown(c.purgeDeadline, now, lang)})</Text>
            <Text size="sm">{t('attempts')}: {c.attempt.status} · <When iso={c.attempt.startedAt} /></Text>
            <Text size="sm">{t('description')}: {c.summary}</Text>
            {c.decidedAt && <Text size="sm">{t('decide')}: {c.decidedBy} · <When iso={c.decidedAt} /> · {c.decisionReason}</Text>}
          </SimpleGrid>
          <EvidenceList caseId={c.id} />
          {c.status === 'OPEN' && (
            <Group>
              <Button onClick={async () => (await start.run({ caseId: c.id })) && void q.refetch()} loading={start.running}>{t('startReview')}</Button>
              <Errors errors={start.errors} failure={start.failure} />
            </Group>
          )}
          {(c.status === 'OPEN' || c.status === 'UNDER_REVIEW') && <Decide caseId={c.id} onDone={q.refetch} />}
          {admin && <Hold caseId={c.id} held={!!c.legalHold && !c.legalHold.releasedAt} onDone={q.refetch} />}
          {c.legalHold && <Text size="sm">{t('legalHold')}: {c.legalHold.placedBy} · <When iso={c.legalHold.placedAt} /> · {c.legalHold.reason}{c.legalHold.releasedAt ? ` · ${t('releaseHold')} ${c.legalHold.releasedBy ?? ''}` : ''}</Text>}
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">{t('history')}</Title>
            <Timeline bulletSize={14} active={c.history.length}>
              {c.history.map((h, i) => (
                <Timeline.Item key={i} title={h.action}>
                  <Text size="sm"><When iso={h.at} /> · {h.actor}{h.toStatus ? ` · ${h.fromStatus ?? '∅'} → ${h.toStatus}` : ''}</Text>
                  {h.reason && <Text size="sm" c="dimmed">{h.reason}</Text>}
                </Timeline.Item>
              ))}
            </Timeline>
          </Card>
        </>
      )}
    </Stack>
  );
}

function Decide({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const t = useT();
  const [outcome, setOutcome] = useState<string | null>('CLEARED');
  const [reason, setReason] = useState('');
  const m = useMutation(DECIDE, (r) => r.decideFraudCase);
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">{t('decide')}</Title>
        <Select label={t('outcome')} value={outcome} onChange={setOutcome} data={['CLEARED', 'FRAUD_CONFIRMED']} allowDeselect={false} maw={280} error={m.fieldError('outcome')} />
        <Textarea label={t('reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={m.fieldError('reason')} />
        <Errors errors={m.otherErrors(['outcome', 'reason'])} failure={m.failure} />
        <Group><Button onClick={async () => (await m.run({ input: { caseId, outcome: outcome as 'CLEARED', reason } })) && onDone()} loading={m.running}>{t('decide')}</Button></Group>
      </Stack>
    </Card>
  );
}

function Hold({ caseId, held, onDone }: { caseId: string; held: boolean; onDone: () => void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const place = useMutation(HOLD, (r) => r.placeLegalHold);
  const release = useMutation(RELEASE, (r) => r.releaseLegalHold);
  const m = held ? release : place;
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">{t('legalHold')}</Title>
        <Textarea label={`${t('reason')} (${t('legalHold')})`} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={m.fieldError('reason')} />
        <Errors errors={m.otherErrors(['reason'])} failure={m.failure} />
        <Group><Button variant="outline" color="red.9" onClick={async () => (await m.run({ input: { caseId, reason } })) && (setReason(''), onDone())} loading={m.running}>{held ? t('releaseHold') : t('placeHold')}</Button></Group>
      </Stack>
    </Card>
  );
}
