import { Anchor, Button, Card, Group, Modal, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useMutation, usePaged } from '../api';
import type { ScreenProps } from '../App';
import { graphql } from '../gql';
import { useT } from '../i18n';
import { DataTable, Errors, Loading, Pager, StatusBadge, When } from '../ui';
import { PdfPreview, sameOrigin } from './PdfPreview';

const CERTIFICATES = graphql(`
  query Certificates($status: CertificateStatus, $first: Int, $after: String) {
    certificates(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id holderName courseTitle issuedAt status revokedAt revocationReason verificationCode downloadUrl registration { id } } }
    }
  }
`);

const ISSUE = graphql(`mutation IssueCertificate($registrationId: ID!) { issueCertificate(registrationId: $registrationId) { certificate { id } errors { code message field } } }`);
const REVOKE = graphql(`mutation RevokeCertificate($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { certificate { id status } errors { code message field } } }`);

/** Certificates (CERTIFICATION): list, issue, revoke, download, preview (R-CER). */
export function Certificates(_: ScreenProps) {
  const t = useT();
  const [status, setStatus] = useState<string | null>(null);
  const list = usePaged(CERTIFICATES, { status: status as 'VALID' | null, first: 25 }, (r) => r.certificates);
  const [registrationId, setRegistrationId] = useState('');
  const issue = useMutation(ISSUE, (r) => r.issueCertificate);
  const [preview, setPreview] = useState<string>();
  const [revoking, setRevoking] = useState<string>();
  return (
    <Stack>
      <Title order={1}>{t('certificates')}</Title>
      <Card withBorder>
        <Group align="start">
          <TextInput label={t('registrationId')} value={registrationId} onChange={(e) => setRegistrationId(e.currentTarget.value)} error={issue.fieldError('registrationId')} style={{ flex: 1, minWidth: 200 }} />
          <Button mt={24} onClick={async () => (await issue.run({ registrationId: registrationId.trim() })) && (setRegistrationId(''), void list.refetch())} loading={issue.running}>{t('issue')}</Button>
        </Group>
        <Errors errors={issue.otherErrors(['registrationId'])} failure={issue.failure} />
      </Card>
      <Select label={t('status')} value={status} onChange={setStatus} data={['VALID', 'REVOKED']} clearable maw={200} />
      <Errors error={list.error} />
      <Loading on={list.loading} />
      <DataTable
        head={[t('holder'), t('session'), t('issuedAt'), t('status'), 'Code', t('actions')]}
        rows={list.nodes.map((c) => [
          c.holderName, c.courseTitle, <When key="a" iso={c.issuedAt} />,
          <Stack key="s" gap={0}><StatusBadge status={c.status} />{c.revocationReason && <Text size="xs">{c.revocationReason}</Text>}</Stack>,
          c.verificationCode,
          <Group key="x" gap={4} wrap="nowrap">
            <Button size="compact-xs" variant="default" onClick={() => setPreview(sameOrigin(c.downloadUrl))}>{t('preview')}</Button>
            <Anchor size="xs" href={sameOrigin(c.downloadUrl)} download={`certificate-${c.verificationCode}.pdf`}>{t('download')}</Anchor>
            {c.status === 'VALID' && <Button size="compact-xs" variant="outline" color="red.9" onClick={() => setRevoking(c.id)}>{t('revoke')}</Button>}
          </Group>,
        ])}
      />
      <Pager count={list.nodes.length} total={list.totalCount} hasMore={list.hasMore} loadMore={() => void list.loadMore()} loading={list.loadingMore} />
      <Modal opened={!!preview} onClose={() => setPreview(undefined)} title={t('preview')} size="xl">
        {preview && <PdfPreview url={preview} />}
      </Modal>
      <Modal opened={!!revoking} onClose={() => setRevoking(undefined)} title={t('revoke')}>
        {revoking && <Revoke id={revoking} onDone={() => (setRevoking(undefined), void list.refetch())} />}
      </Modal>
    </Stack>
  );
}

function Revoke({ id, onDone }: { id: string; onDone: () => void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const m = useMutation(REVOKE, (r) => r.revokeCertificate);
  return (
    <Stack gap="xs">
      <TextInput label={t('reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={m.fieldError('reason')} data-autofocus />
      <Errors errors={m.otherErrors(['reason'])} failure={m.failure} />
      <Group><Button color="red.9" onClick={async () => (await m.run({ input: { certificateId: id, reason } })) && onDone()} loading={m.running}>{t('revoke')}</Button></Group>
    </Stack>
  );
}
