import { Alert, Button, Card, Select, SimpleGrid, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { newKey, useMutation } from '../api';
import { graphql } from '../gql';
import { useT } from '../i18n';
import { Errors } from '../ui';

const REQUEST = graphql(`
  mutation RequestRefund($input: RequestRefundInput!) {
    requestRefund(input: $input) { refundRequest { id status } errors { code message field } }
  }
`);

export interface RefundPrefill {
  registrationId: string;
  paymentTicket: string;
  learnerFirstName: string;
  learnerLastName: string;
  username: string;
  email: string;
  incidents: { id: string; label: string }[];
}

const FIELDS = ['paymentTicket', 'learnerFirstName', 'learnerLastName', 'username', 'email', 'incidentId', 'comment', 'reason'] as const;

/** A refund request on the learner's behalf (SUPPORT), with what the learner gave (R-REF-5), prefilled. */
export function RefundRequestForm({ prefill, onDone }: { prefill: RefundPrefill; onDone: () => void }) {
  const t = useT();
  const [v, setV] = useState({ ...prefill, reason: 'WITHDRAWAL', incidentId: '', comment: '' });
  const [key] = useState(newKey);
  const m = useMutation(REQUEST, (r) => r.requestRefund);
  const [done, setDone] = useState(false);
  const text = (name: (typeof FIELDS)[number], label: string) => (
    <TextInput label={label} value={String(v[name])} onChange={(e) => setV({ ...v, [name]: e.currentTarget.value })} error={m.fieldError(name)} />
  );
  const submit = async () => {
    const { incidents: _i, ...rest } = v;
    const r = await m.run({ input: { ...rest, reason: v.reason as 'WITHDRAWAL', incidentId: v.incidentId || null, comment: v.comment || null, idempotencyKey: key } });
    if (r) {
      setDone(true);
      onDone();
    }
  };
  if (done) return <Alert color="green" role="status">{t('refundRequested')}</Alert>;
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={3} size="h5">{t('requestRefund')}</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label={t('reason')} value={v.reason} onChange={(x) => setV({ ...v, reason: x ?? 'WITHDRAWAL' })} data={['WITHDRAWAL', 'PROVIDER_TECHNICAL_PROBLEM']} allowDeselect={false} error={m.fieldError('reason')} />
          <Select label={t('incidents')} value={v.incidentId || null} onChange={(x) => setV({ ...v, incidentId: x ?? '' })} data={prefill.incidents.map((i) => ({ value: i.id, label: i.label }))} clearable error={m.fieldError('incidentId')} />
          {text('paymentTicket', t('ticket'))}
          {text('email', t('email'))}
          {text('learnerFirstName', `${t('name')} (1)`)}
          {text('learnerLastName', `${t('name')} (2)`)}
          {text('username', t('username'))}
        </SimpleGrid>
        <Textarea label={t('comment')} value={v.comment} onChange={(e) => setV({ ...v, comment: e.currentTarget.value })} error={m.fieldError('comment')} />
        <Errors errors={m.otherErrors([...FIELDS])} failure={m.failure} />
        <div><Button onClick={() => void submit()} loading={m.running}>{t('requestRefund')}</Button></div>
      </Stack>
    </Card>
  );
}
