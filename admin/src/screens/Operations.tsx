import { Button, Card, FileInput, Group, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useMutation, usePaged } from '../api';
import type { ScreenProps } from '../App';
import { graphql } from '../gql';
import { useT } from '../i18n';
import { DataTable, Errors, Loading, Pager, StatusBadge, When } from '../ui';

const SESSIONS = graphql(`
  query Sessions($first: Int, $after: String) {
    certificationSessions(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id courseCode courseTitle university examPeriodStart examPeriodEnd timeZone hasExamContent priceCents } }
    }
  }
`);

const SET_CONTENT = graphql(`
  mutation SetExamContent($input: SetExamContentInput!) {
    setExamContent(input: $input) { session { id hasExamContent } errors { code message field } }
  }
`);

const JOB_RUNS = graphql(`
  query JobRuns($first: Int, $after: String) {
    jobRuns(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id job status trigger startedAt finishedAt itemsProcessed error } }
    }
  }
`);

const RUN_JOB = graphql(`
  mutation RunJob($job: JobName!) {
    runJob(job: $job) { jobRun { id status itemsProcessed } errors { code message field } }
  }
`);

const AUDIT = graphql(`
  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id at actor action subjectType subjectId requestId details } }
    }
  }
`);

const JOBS = ['COMPUTE_RESULTS', 'END_EXPIRED_ATTEMPTS', 'ISSUE_CERTIFICATES', 'PURGE_EVIDENCE'] as const;

/** Sessions (CERTIFICATION): the list, and the exam content of one (a JSON file of 3 parts, R-EXA-1). */
export function Sessions(_: ScreenProps) {
  const t = useT();
  const list = usePaged(SESSIONS, { first: 25 }, (r) => r.certificationSessions);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [parseError, setParseError] = useState<string>();
  const upload = useMutation(SET_CONTENT, (r) => r.setExamContent);
  const submit = async () => {
    setParseError(undefined);
    let parts: unknown;
    try {
      const json = JSON.parse((await file?.text()) ?? '') as { parts?: unknown } | unknown[];
      parts = Array.isArray(json) ? json : json.parts;
    } catch (e) {
      setParseError(`JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (await upload.run({ input: { sessionId: sessionId ?? '', parts: parts as never, proctorPassword: password } })) void list.refetch();
  };
  return (
    <Stack>
      <Title order={1}>{t('sessions')}</Title>
      <Errors error={list.error} />
      <Loading on={list.loading} />
      <DataTable
        head={['Code', t('session'), 'Période / period', 'Zone', t('hasContent')]}
        rows={list.nodes.map((s) => [s.courseCode, `${s.courseTitle} (${s.university})`, `${s.examPeriodStart} → ${s.examPeriodEnd}`, s.timeZone, s.hasExamContent ? '✓' : '✗'])}
      />
      <Pager count={list.nodes.length} total={list.totalCount} hasMore={list.hasMore} loadMore={() => void list.loadMore()} loading={list.loadingMore} />
      <Card withBorder>
        <Stack gap="xs">
          <Title order={2} size="h4">{t('examContent')}</Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select label={t('session')} value={sessionId} onChange={setSessionId} data={list.nodes.map((s) => ({ value: s.id, label: `${s.courseCode} — ${s.courseTitle}` }))} error={upload.fieldError('sessionId')} />
            <FileInput label={t('fileJson')} accept="application/json,.json" value={file} onChange={setFile} error={parseError ?? upload.fieldError('parts')} clearable clearButtonProps={{ 'aria-label': 'Effacer / clear' }} />
            <TextInput label={t('proctorPassword')} type="password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={upload.fieldError('proctorPassword')} />
          </SimpleGrid>
          <Errors errors={upload.otherErrors(['sessionId', 'parts', 'proctorPassword'])} failure={upload.failure} />
          <Group><Button onClick={() => void submit()} loading={upload.running} disabled={!file || !sessionId}>{t('upload')}</Button></Group>
        </Stack>
      </Card>
    </Stack>
  );
}

/** Job runs (CERTIFICATION reads, ADMIN runs now). */
export function Jobs({ roles }: ScreenProps) {
  const t = useT();
  const list = usePaged(JOB_RUNS, { first: 25 }, (r) => r.jobRuns);
  const run = useMutation(RUN_JOB, (r) => r.runJob);
  const [job, setJob] = useState<string | null>(JOBS[0]);
  return (
    <Stack>
      <Title order={1}>{t('jobs')}</Title>
      {roles.includes('ADMIN') && (
        <Card withBorder>
          <Group align="end">
            <Select label={t('job')} value={job} onChange={setJob} data={[...JOBS]} allowDeselect={false} />
            <Button onClick={async () => (await run.run({ job: job as (typeof JOBS)[number] })) && void list.refetch()} loading={run.running}>{t('runNow')}</Button>
          </Group>
          <Errors errors={run.errors} failure={run.failure} />
        </Card>
      )}
      <Errors error={list.error} />
      <Loading on={list.loading} />
      <DataTable
        head={[t('job'), t('status'), t('startedAt'), t('finishedAt'), t('items'), 'Trigger', 'Error']}
        rows={list.nodes.map((r) => [r.job, <StatusBadge key="s" status={r.status} />, <When key="a" iso={r.startedAt} />, <When key="b" iso={r.finishedAt} />, r.itemsProcessed, r.trigger, r.error ?? ''])}
      />
      <Pager count={list.nodes.length} total={list.totalCount} hasMore={list.hasMore} loadMore={() => void list.loadMore()} loading={list.loadingMore} />
    </Stack>
  );
}

/** The audit log (ADMIN), filtered by action, actor or subject. */
export function Audit(_: ScreenProps) {
  const t = useT();
  const [form, setForm] = useState({ action: '', actor: '', subjectId: '' });
  const [filter, setFilter] = useState({});
  const list = usePaged(AUDIT, { filter, first: 50 }, (r) => r.auditEvents);
  const apply = () => setFilter(Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim()).map(([k, v]) => [k, v.trim()])));
  return (
    <Stack>
      <Title order={1}>{t('audit')}</Title>
      <form onSubmit={(e) => (e.preventDefault(), apply())}>
        <Group align="end">
          <TextInput label={t('action')} value={form.action} onChange={(e) => setForm({ ...form, action: e.currentTarget.value })} />
          <TextInput label={t('actor')} value={form.actor} onChange={(e) => setForm({ ...form, actor: e.currentTarget.value })} />
          <TextInput label={t('subject')} value={form.subjectId} onChange={(e) => setForm({ ...form, subjectId: e.currentTarget.value })} />
          <Button type="submit">{t('filter')}</Button>
        </Group>
      </form>
      <Errors error={list.error} />
      <Loading on={list.loading} />
      <DataTable
        head={[t('at'), t('actor'), t('action'), t('subject'), 'Details']}
        rows={list.nodes.map((e) => [<When key="a" iso={e.at} />, e.actor, e.action, `${e.subjectType} ${e.subjectId}`, <Text key="d" size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>{JSON.stringify(e.details)}</Text>])}
      />
      <Pager count={list.nodes.length} total={list.totalCount} hasMore={list.hasMore} loadMore={() => void list.loadMore()} loading={list.loadingMore} />
    </Stack>
  );
}
