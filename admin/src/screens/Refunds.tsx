import { Alert, Anchor, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Timeline, Title } from '@mantine/core';
import { useState } from 'react';
import { newKey, useMutation, usePaged, useQuery } from '../api';
import type { ScreenProps } from '../App';
import { graphql } from '../gql';
import { money } from '../format';
import { useLang, useT } from '../i18n';
import { href, navigate } from '../router';
import { DataTable, Errors, Loading, Pager, StatusBadge, When } from '../ui';

const QUEUE = graphql(`
  query RefundQueue($first: Int, $after: String) {
    refundRequests(filter: { needsAction: true }, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id status reason amountCents requestedAt requestedBy learnerFirstName learnerLastName email } }
    }
  }
`);

const REFUND = graphql(`
  query RefundRequest($id: ID!) {
    refundRequest(id: $id) {
      id status reason amountCents comment requestedAt requestedBy decidedBy decidedAt decisionComment
      learnerFirstName learnerLastName email username paymentTicket
      providerReference providerResponseCode settlementMethod settlementReference completedAt
      payment { id numTrans paidAt eCarteBleue currency }
      registration { id session { courseTitle } }
      incident { id kind occurredAt providerReference }
      events { at fromStatus toStatus actor comment providerCode }
    }
  }
`);

const ELIGIBILITY = graphql(`
  query RefundEligibility($registrationId: ID!) {
    refundEligibility(registrationId: $registrationId) { eligible reason withdrawalDeadline blockers }
  }
`);

const APPROVE = graphql(`mutation ApproveRefund($input: DecideRefundInput!) { approveRefund(input: $input) { refundRequest { id status } errors { code message field } } }`);
const REJECT = graphql(`mutation RejectRefund($input: DecideRefundInput!) { rejectRefund(input: $input) { refundRequest { id status } errors { code message field } } }`);
const EXECUTE = graphql(`mutation ExecuteRefund($input: ExecuteRefundInput!) { executeRefund(input: $input) { refundRequest { id status } errors { code message field } } }`);
const SETTLE = graphql(`mutation SettleRefund($input: SettleRefundManuallyInput!) { settleRefundManually(input: $input) { refundRequest { id status } errors { code message field } } }`);

/** Refund queue (PAYMENTS): requests needing action, oldest first; one request with its decision tools. */
export function Refunds({ path }: ScreenProps) {
  const id = path.slice(1);
  return id ? <RefundPage id={id} /> : <RefundQueue />;
}

function RefundQueue() {
  const t = useT();
  const { lang } = useLang();
  const list = usePaged(QUEUE, { first: 25 }, (r) => r.refundRequests);
  return (
    <Stack>
      <Title order={1}>{t('refunds')}</Title>
      <Text c="dimmed">{t('needsAction')} · {t('timesIn')}</Text>
      <Errors error={list.error} />
      <Loading on={list.loading} />
      <DataTable
        head={[t('requestedAt'), t('name'), t('reason'), t('amount'), t('status')]}
        rows={list.nodes.map((r) => [
          <Anchor key="a" href={href(`/refunds/${r.id}`)} onClick={(e) => (e.preventDefault(), navigate(`/refunds/${r.id}`))}><When iso={r.requestedAt} /></Anchor>,
          `${r.learnerFirstName} ${r.learnerLastName}`, r.reason, money(r.amountCents, 'EUR', lang), <StatusBadge key="s" status={r.status} />,
        ])}
      />
      <Pager count={list.nodes.length} total={list.totalCount} hasMore={list.hasMore} loadMore={() => void list.loadMore()} loading={list.loadingMore} />
    </Stack>
  );
}

function RefundPage({ id }: { id: string }) {
  const t = useT();
  const { lang } = useLang();
  const q = useQuery(REFUND, { id });
  const r = q.data?.refundRequest;
  const elig = useQuery(ELIGIBILITY, { registrationId: r?.registration.id ?? '' }, { skip: !r });
  const e = elig.data?.refundEligibility;
  // This request itself is the "refund in progress": the decision is about every other blocker.
  const pending = !!r && ['SUBMITTED', 'APPROVED', 'PROCESSING', 'FAILED'].includes(r.status);
  const blockers = (e?.blockers ?? []).filter((b) => !(pending && b === 'REFUND_IN_PROGRESS'));
  const eligibleNow = !!e && (e.eligible || (pending && blockers.length === 0));
  return (
    <Stack>
      <Anchor href={href('/refunds')} onClick={(ev) => (ev.preventDefault(), navigate('/refunds'))}>← {t('back')}</Anchor>
      <Errors error={q.error} />
      <Loading on={q.loading} />
      {r && (
        <>
          <Group justify="space-between">
            <Title order={1}>{t('refunds')} · {r.learnerFirstName} {r.learnerLastName}</Title>
            <StatusBadge status={r.status} />
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Text size="sm">{t('amount')}: {money(r.amountCents, r.payment.currency, lang)}</Text>
            <Text size="sm">{t('reason')}: {r.reason}</Text>
            <Text size="sm">{t('requestedAt')}: <When iso={r.requestedAt} /> · {r.requestedBy}</Text>
            <Text size="sm">{t('ticket')}: {r.paymentTicket} · {t('paidAt')} <When iso={r.payment.paidAt} /></Text>
            <Text size="sm">{r.email} · {r.username} · {r.registration.session.courseTitle}</Text>
            {r.payment.eCarteBleue && <Badge component="span" color="orange.9">e-Carte Bleue</Badge>}
            {r.comment && <Text size="sm">{t('comment')}: {r.comment}</Text>}
            {r.decidedBy && <Text size="sm">{t('decide')}: {r.decidedBy} · <When iso={r.decidedAt} /> · {r.decisionComment}</Text>}
          </SimpleGrid>
          <Card withBorder>
            <Title order={2} size="h4">{t('eligibility')}</Title>
            {e && (
              <Stack gap={4}>
                <Text fw={600} c={eligibleNow ? 'teal.9' : 'red.9'}>{eligibleNow ? `${t('eligible')} (${e.reason ?? r.reason})` : t('notEligible')}</Text>
                <Text size="sm">{t('withdrawalDeadline')}: <When iso={e.withdrawalDeadline} /></Text>
                {blockers.length > 0 && <Text size="sm">{t('blockers')}: {blockers.join(', ')}</Text>}
              </Stack>
            )}
          </Card>
          {r.status === 'SUBMITTED' && <Decide id={r.id} onDone={q.refetch} />}
          {(r.status === 'APPROVED' || r.status === 'FAILED') && <Execute id={r.id} onDone={q.refetch} />}
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">{t('history')}</Title>
            <Timeline bulletSize={14} active={r.events.length}>
              {r.events.map((ev, i) => (
                <Timeline.Item key={i} title={`${ev.fromStatus ?? '∅'} → ${ev.toStatus}`}>
                  <Text size="sm"><When iso={ev.at} /> · {ev.actor}{ev.providerCode ? ` · Paybox ${ev.providerCode}` : ''}</Text>
                  {ev.comment && <Text size="sm" c="dimmed">{ev.comment}</Text>}
                </Timeline.Item>
              ))}
            </Timeline>
          </Card>
        </>
      )}
    </Stack>
  );
}

function Decide({ id, onDone }: { id: string; onDone: () => void }) {
  const t = useT();
  const [comment, setComment] = useState('');
  const approve = useMutation(APPROVE, (r) => r.approveRefund);
  const reject = useMutation(REJECT, (r) => r.rejectRefund);
  const run = async (m: typeof approve | typeof reject) => {
    approve.reset();
    reject.reset();
    if (await m.run({ input: { refundRequestId: id, comment, idempotencyKey: newKey() } })) onDone();
  };
  const errors = [...approve.errors, ...reject.errors];
  const fourEyes = errors.some((e) => e.code === 'FOUR_EYES_REQUIRED');
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">{t('decide')}</Title>
        <Textarea label={t('comment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} error={approve.fieldError('comment') ?? reject.fieldError('comment')} />
        {fourEyes && <Alert color="orange" role="alert" title={t('fourEyes')}>{errors.find((e) => e.code === 'FOUR_EYES_REQUIRED')?.message}</Alert>}
        <Errors errors={errors.filter((e) => e.code !== 'FOUR_EYES_REQUIRED' && e.field?.at(-1) !== 'comment')} failure={approve.failure ?? reject.failure} />
        <Group>
          <Button color="teal.9" onClick={() => void run(approve)} loading={approve.running}>{t('approve')}</Button>
          <Button color="red.9" variant="outline" onClick={() => void run(reject)} loading={reject.running}>{t('reject')}</Button>
        </Group>
      </Stack>
    </Card>
  );
}

function Execute({ id, onDone }: { id: string; onDone: () => void }) {
  const t = useT();
  const execute = useMutation(EXECUTE, (r) => r.executeRefund);
  const settle = useMutation(SETTLE, (r) => r.settleRefundManually);
  const [method, setMethod] = useState<string | null>('BANK_TRANSFER');
  const [reference, setReference] = useState('');
  const [comment, setComment] = useState('');
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">{t('execute')}</Title>
        <Errors errors={execute.errors} failure={execute.failure} />
        <Group><Button onClick={async () => (await execute.run({ input: { refundRequestId: id, idempotencyKey: newKey() } })) && onDone()} loading={execute.running}>{t('execute')}</Button></Group>
        <Title order={3} size="h5">{t('settle')}</Title>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select label={t('method')} value={method} onChange={setMethod} data={['BANK_TRANSFER', 'PAYBOX_BACK_OFFICE']} allowDeselect={false} />
          <TextInput label={t('reference')} value={reference} onChange={(e) => setReference(e.currentTarget.value)} error={settle.fieldError('reference')} />
          <TextInput label={t('comment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} error={settle.fieldError('comment')} />
        </SimpleGrid>
        <Errors errors={settle.otherErrors(['reference', 'comment'])} failure={settle.failure} />
        <Group><Button variant="light" onClick={async () => (await settle.run({ input: { refundRequestId: id, method: method as 'BANK_TRANSFER', reference, comment } })) && onDone()} loading={settle.running}>{t('settle')}</Button></Group>
      </Stack>
    </Card>
  );
}
