import { Anchor, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from '../api';
import { graphql } from '../gql';
import { useT } from '../i18n';
import { Errors, Loading, StatusBadge, When } from '../ui';
import { sameOrigin } from './PdfPreview';

const EVIDENCE = graphql(`
  query FraudCaseEvidence($id: ID!) {
    fraudCase(id: $id) { id evidence { id kind contentType sizeBytes sha256 capturedAt retainUntil status purgedAt } }
  }
`);

/** Asking for the links writes one audit event per object (R-EVI-2): only on the reviewer's request. */
const EVIDENCE_LINKS = graphql(`
  query FraudCaseEvidenceLinks($id: ID!) {
    fraudCase(id: $id) { id evidence { id viewUrl } }
  }
`);

/** The evidence of a case: kind, size, retention; the media (video with seeking, photos) through signed links. */
export function EvidenceList({ caseId }: { caseId: string }) {
  const t = useT();
  const q = useQuery(EVIDENCE, { id: caseId });
  const [show, setShow] = useState(false);
  const links = useQuery(EVIDENCE_LINKS, { id: caseId }, { skip: !show });
  const items = q.data?.fraudCase?.evidence ?? [];
  const urlOf = (id: string) => {
    const u = links.data?.fraudCase?.evidence.find((e) => e.id === id)?.viewUrl;
    return u ? sameOrigin(u) : undefined;
  };
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">{t('evidence')}</Title>
        {items.some((e) => e.status !== 'PURGED') && !show && <Button size="xs" variant="default" onClick={() => setShow(true)}>{t('showEvidence')}</Button>}
      </Group>
      <Errors error={q.error ?? links.error} />
      <Loading on={links.loading && show} />
      {!items.length && <Text c="dimmed">{t('none')}</Text>}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {items.map((e) => {
          const url = urlOf(e.id);
          return (
            <Stack key={e.id} gap={4}>
              <Group gap="xs"><Text fw={600}>{e.kind}</Text><StatusBadge status={e.status} /></Group>
              <Text size="xs">{e.contentType} · {(e.sizeBytes / 1024).toFixed(0)} KiB · SHA-256 {e.sha256.slice(0, 12)}…</Text>
              <Text size="xs">{t('at')}: <When iso={e.capturedAt} /> · {t('purgeDeadline')}: <When iso={e.retainUntil} /></Text>
              {url && e.contentType.startsWith('video/') && <video controls preload="metadata" src={url} style={{ width: '100%', height: 200, background: '#000' }} aria-label={e.kind} data-testid="evidence-video" />}
              {url && e.contentType.startsWith('image/') && <img src={url} alt={e.kind} style={{ width: '100%', height: 200, objectFit: 'contain', background: 'var(--mantine-color-gray-1)' }} data-testid="evidence-image" />}
              {url && <Anchor size="xs" href={url} target="_blank" rel="noopener">{t('open')}</Anchor>}
            </Stack>
          );
        })}
      </SimpleGrid>
    </Card>
  );
}
