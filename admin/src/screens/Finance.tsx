import { Button, Card, Group, Progress, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { request, useQuery } from '../api';
import type { ScreenProps } from '../App';
import { graphql } from '../gql';
import { money } from '../format';
import { useLang, useT } from '../i18n';
import { Errors, Loading } from '../ui';
import { downloadWithToken } from '../download';

const SUMMARY = graphql(`
  query FinanceSummary($from: Date!, $to: Date!) {
    financeSummary(from: $from, to: $to) {
      from to currency grossCents refundedCents netCents paymentsCount refundsCount pendingRefundsCount
      byBrand { brand count grossCents }
    }
  }
`);

const DAY = graphql(`
  query FinanceDay($from: Date!, $to: Date!) {
    financeSummary(from: $from, to: $to) { grossCents refundedCents }
  }
`);

const MAX_DAYS = 62;

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`) && out.length < MAX_DAYS; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

function monthStart(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
}

/** Finance (PAYMENTS): a period, its summary, a daily chart, and the exports in CSV and XLSX. */
export function Finance({ params }: ScreenProps) {
  const t = useT();
  const { lang } = useLang();
  const [from, setFrom] = useState(params.get('from') ?? monthStart());
  const [to, setTo] = useState(params.get('to') ?? new Date().toISOString().slice(0, 10));
  const [period, setPeriod] = useState({ from, to });
  const q = useQuery(SUMMARY, period);
  const s = q.data?.financeSummary;
  return (
    <Stack>
      <Title order={1}>{t('finance')}</Title>
      <form onSubmit={(e) => (e.preventDefault(), setPeriod({ from, to }))}>
        <Group align="end">
          <TextInput type="date" label={t('from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput type="date" label={t('to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          <Button type="submit">{t('filter')}</Button>
        </Group>
      </form>
      <Text size="sm" c="dimmed">{t('timesIn')}</Text>
      <Errors error={q.error} />
      <Loading on={q.loading} />
      {s && (
        <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }}>
          {([['gross', s.grossCents], ['refunded', s.refundedCents], ['net', s.netCents]] as const).map(([k, v]) => (
            <Card key={k} withBorder><Text size="xs" c="dimmed">{t(k)}</Text><Text fw={700} data-testid={`finance-${k}`}>{money(v, s.currency, lang)}</Text></Card>
          ))}
          {([['paymentsCount', s.paymentsCount], ['refundsCount', s.refundsCount], ['pendingRefunds', s.pendingRefundsCount]] as const).map(([k, v]) => (
            <Card key={k} withBorder><Text size="xs" c="dimmed">{t(k)}</Text><Text fw={700}>{v}</Text></Card>
          ))}
        </SimpleGrid>
      )}
      {s && s.byBrand.length > 0 && <Text size="sm">{s.byBrand.map((b) => `${b.brand}: ${b.count} (${money(b.grossCents, s.currency, lang)})`).join(' · ')}</Text>}
      <DailyChart from={period.from} to={period.to} />
      <Exports from={period.from} to={period.to} />
    </Stack>
  );
}

/** Daily payments and refunds: one financeSummary per day (a few at a time), drawn as SVG bars. */
function DailyChart({ from, to }: { from: string; to: string }) {
  const t = useT();
  const { lang } = useLang();
  const [data, setData] = useState<{ day: string; gross: number; refunded: number }[]>([]);
  const [done, setDone] = useState(0);
  const list = days(from, to);
  useEffect(() => {
    let stop = false;
    const out: { day: string; gross: number; refunded: number }[] = [];
    setData([]);
    setDone(0);
    void (async () => {
      for (let i = 0; i < list.length && !stop; i += 4) {
        const part = await Promise.all(list.slice(i, i + 4).map(async (day) => {
          const r = await request(DAY, { from: day, to: day }).catch(() => undefined);
          return { day, gross: r?.financeSummary.grossCents ?? 0, refunded: r?.financeSummary.refundedCents ?? 0 };
        }));
        out.push(...part);
        if (!stop) {
          setData([...out]);
          setDone(out.length);
        }
      }
    })();
    return () => void (stop = true);
  }, [from, to]);
  const max = Math.max(1, ...data.map((d) => Math.max(d.gross, d.refunded)));
  const w = Math.max(list.length, 1) * 14;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">{t('daily')}</Title>
      {done < list.length && <Progress value={(done / Math.max(list.length, 1)) * 100} aria-label={t('loading')} mb="xs" />}
      <svg viewBox={`0 0 ${w} 110`} width="100%" height={160} preserveAspectRatio="none" role="img" aria-label={`${t('daily')} ${from} – ${to}`}>
        {data.map((d, i) => (
          <g key={d.day}>
            <title>{`${d.day}: ${money(d.gross, 'EUR', lang)} / -${money(d.refunded, 'EUR', lang)}`}</title>
            <rect x={i * 14 + 1} y={100 - (d.gross / max) * 100} width={6} height={(d.gross / max) * 100} fill="#3b5bdb" />
            <rect x={i * 14 + 7} y={100 - (d.refunded / max) * 100} width={6} height={(d.refunded / max) * 100} fill="#e8590c" />
          </g>
        ))}
        <line x1={0} x2={w} y1={100} y2={100} stroke="#868e96" strokeWidth={0.5} />
      </svg>
      <Group gap="md"><Text size="xs" c="#3b5bdb">■ {t('paymentsCount')}</Text><Text size="xs" c="#c2410c">■ {t('refundsCount')}</Text><Text size="xs" c="dimmed">{list[0]} → {list[list.length - 1]}</Text></Group>
    </Card>
  );
}

function Exports({ from, to }: { from: string; to: string }) {
  const t = useT();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const get = async (file: string) => {
    setBusy(file);
    setError(undefined);
    try {
      await downloadWithToken(`/reports/${file}?from=${from}&to=${to}`, file.replace('.', `_${from}_${to}.`));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">{t('exports')}</Title>
      <Errors failure={error} />
      <Group gap="xs">
        {['payments', 'refunds', 'reconciliation'].flatMap((n) => ['csv', 'xlsx'].map((f) => `${n}.${f}`)).map((file) => (
          <Button key={file} variant="default" size="xs" loading={busy === file} onClick={() => void get(file)}>{t('download')} {file}</Button>
        ))}
      </Group>
    </Card>
  );
}
