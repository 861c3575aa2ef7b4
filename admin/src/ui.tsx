import { Alert, Badge, Button, Group, Loader, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ApiError, UserError } from './api';
import { dateTime } from './format';
import { useLang, useT } from './i18n';

/** A top-level error (FORBIDDEN, network...) or UserErrors not tied to a shown field. */
export function Errors({ error, errors = [], failure }: { error?: ApiError; errors?: UserError[]; failure?: string }) {
  const messages = [...(error ? [error.message] : []), ...errors.map((e) => `${e.message} (${e.code})`), ...(failure ? [failure] : [])];
  if (!messages.length) return null;
  return (
    <Alert color="red" role="alert" data-testid="errors">
      {messages.map((m) => (
        <div key={m}>{m}</div>
      ))}
    </Alert>
  );
}

export function When({ iso }: { iso: string | null | undefined }) {
  const { lang } = useLang();
  return <span>{dateTime(iso, lang)}</span>;
}

const STATUS_COLORS: Record<string, string> = {
  SUCCEEDED: 'green', SETTLED_MANUALLY: 'green', APPROVED: 'blue', SUBMITTED: 'yellow', PROCESSING: 'cyan', REJECTED: 'gray', FAILED: 'red',
  BOOKED: 'blue', COMPLETED: 'green', CANCELLED: 'gray', RESCHEDULED: 'gray', PROVIDER_FAULT: 'orange', MISSED: 'red',
  ACTIVE: 'green', IN_PROGRESS: 'yellow', PAID: 'green', REFUNDED: 'gray', RUNNING: 'cyan',
  OPEN: 'yellow', UNDER_REVIEW: 'cyan', CLEARED: 'green', FRAUD_CONFIRMED: 'red', VALID: 'green', REVOKED: 'red',
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge component="span" color={STATUS_COLORS[status] ?? 'gray'} variant="dot" c="dark" style={{ minWidth: 'max-content' }}>{status}</Badge>;
}

/** A table that scrolls sideways on narrow screens, never widening the page. */
export function DataTable({ head, rows, caption }: { head: ReactNode[]; rows: ReactNode[][]; caption?: string }) {
  const t = useT();
  if (!rows.length) return <Text c="dimmed">{t('noResults')}</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped highlightOnHover captionSide="top">
        {caption && <caption>{caption}</caption>}
        <Table.Thead>
          <Table.Tr>{head.map((h, i) => <Table.Th key={i}>{h}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i}>{r.map((c, j) => <Table.Td key={j}>{c}</Table.Td>)}</Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** "n of total" and the "load more" button of a connection. */
export function Pager({ count, total, hasMore, loadMore, loading }: { count: number; total: number; hasMore: boolean; loadMore: () => void; loading: boolean }) {
  const t = useT();
  return (
    <Group justify="space-between">
      <Text size="sm" c="dimmed">{count} / {total}</Text>
      {hasMore && <Button variant="default" size="xs" onClick={loadMore} loading={loading}>{t('loadMore')}</Button>}
    </Group>
  );
}

export function Loading({ on }: { on: boolean }) {
  const t = useT();
  return on ? <Loader size="sm" aria-label={t('loading')} /> : null;
}
