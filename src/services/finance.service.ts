import { readSnapshot } from '../db/orm';
import { DateTime } from 'luxon';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { isUuid } from '../domain/validate';
import { type CardBrand } from '../entities/payment.entity';

/** Finance days are Paris days (contract/HTTP.md: `from`..`to` inclusive, Europe/Paris). */
export const FINANCE_ZONE = 'Europe/Paris';
/** The longest period an export or a summary covers (a year, leap day included). */
export const MAX_PERIOD_DAYS = 366;
/** A refund counts when the money has left (R-REF): by the day it completed. */
export const COMPLETED_REFUND_STATUSES = ['SUCCEEDED', 'SETTLED_MANUALLY'] as const;
/** Not final (R-REF state machine): still needs someone's action. */
export const PENDING_REFUND_STATUSES = ['SUBMITTED', 'APPROVED', 'PROCESSING', 'FAILED'] as const;

export interface FinancePeriod {
  from: string;
  to: string;
  /** First instant of `from` in Paris. */
  start: Date;
  /** First instant of the day after `to` in Paris (exclusive). */
  end: Date;
  sessionId: string | null;
  days: number;
}

export interface BrandTotal {
  brand: CardBrand;
  count: number;
  grossCents: number;
}

export interface FinanceSummary {
  from: string;
  to: string;
  currency: string;
  paymentsCount: number;
  grossCents: number;
  refundsCount: number;
  refundedCents: number;
  netCents: number;
  pendingRefundsCount: number;
  byBrand: BrandTotal[];
}

/** A query with `?` placeholders (MikroORM/knex style); `toPg` turns them into `$n` for node-postgres. */
export interface FinanceSql {
  sql: string;
  params: unknown[];
}

export function toPg(q: FinanceSql): { text: string; values: unknown[] } {
  let n = 0;
  return { text: q.sql.replace(/\?/g, () => `$${++n}`), values: q.params };
}

function parseDay(value: unknown, field: string): DateTime {
  if (typeof value !== 'string' || value === '') throw new DomainError('VALIDATION', `${field} is required (YYYY-MM-DD)`, [field]);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new DomainError('VALIDATION', `${field} must be a day YYYY-MM-DD`, [field]);
  const day = DateTime.fromISO(value, { zone: FINANCE_ZONE });
  if (!day.isValid) throw new DomainError('VALIDATION', `${field} is not a calendar day`, [field]);
  return day.startOf('day');
}

/** Validates `from`, `to` (inclusive Paris days, at most 366) and `sessionId`; a refusal is a VALIDATION DomainError. */
export function parsePeriod(input: { from?: unknown; to?: unknown; sessionId?: unknown }): FinancePeriod {
  const from = parseDay(input.from, 'from');
  const to = parseDay(input.to, 'to');
  if (to < from) throw new DomainError('VALIDATION', '`to` is before `from`', ['to']);
  const days = Math.round(to.diff(from, 'days').days) + 1;
  if (days > MAX_PERIOD_DAYS) throw new DomainError('VALIDATION', `the period covers ${days} days, more than ${MAX_PERIOD_DAYS}`, ['to']);
  let sessionId: string | null = null;
  if (input.sessionId !== undefined && input.sessionId !== null && input.sessionId !== '') {
    if (typeof input.sessionId !== 'string' || !isUuid(input.sessionId)) throw new DomainError('VALIDATION', 'sessionId is not a valid id', ['sessionId']);
    sessionId = input.sessionId.toLowerCase();
  }
  return {
    from: from.toISODate()!,
    to: to.toISODate()!,
    start: from.toJSDate(),
    end: to.plus({ days: 1 }).startOf('day').toJSDate(),
    sessionId,
    days,
  };
}

/** Where a payment belongs to the period (by `paid_at`) and the session; `p` is payment, `r` its registration. */
function paymentWhere(period: FinancePeriod): FinanceSql {
  const params: unknown[] = [period.start, period.end];
  let sql = 'p."paid_at" >= ? and p."paid_at" < ?';
  if (period.sessionId) {
    sql += ' and r."session_id" = ?';
    params.push(period.sessionId);
  }
  return { sql, params };
}

const COMPLETED_SQL = `(${COMPLETED_REFUND_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const PENDING_SQL = `(${PENDING_REFUND_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Completed refunds (SUCCEEDED or SETTLED_MANUALLY) by completion day; `rr` is refund_request, `r` its registration. */
function completedRefundWhere(period: FinancePeriod): FinanceSql {
  const params: unknown[] = [period.start, period.end];
  let sql = `rr."status" in ${COMPLETED_SQL} and rr."completed_at" >= ? and rr."completed_at" < ?`;
  if (period.sessionId) {
    sql += ' and r."session_id" = ?';
    params.push(period.sessionId);
  }
  return { sql, params };
}

/** The payments export: one row per payment paid in the period, in `paid_at` order. */
export function paymentsExportSql(period: FinancePeriod): FinanceSql {
  const w = paymentWhere(period);
  return {
    sql: `select p."id", p."paid_at", r."id" as "registration_id", l."username",
        r."locked_given_name", r."locked_family_name", s."course_code",
        p."amount_cents", p."currency", p."card_brand", p."e_carte_bleue", p."num_appel", p."num_trans",
        p."authorization_number", p."status", p."refunded_cents"
      from "payment" p
      join "registration" r on r."id" = p."registration_id"
      join "learner" l on l."id" = r."learner_id"
      join "certification_session" s on s."id" = r."session_id"
      where ${w.sql}
      order by p."paid_at", p."id"`,
    params: w.params,
  };
}

/** The refunds export: every request asked for, or completed, in the period, in request order. */
export function refundsExportSql(period: FinancePeriod): FinanceSql {
  const params: unknown[] = [period.start, period.end, period.start, period.end];
  let session = '';
  if (period.sessionId) {
    session = ' and r."session_id" = ?';
    params.push(period.sessionId);
  }
  return {
    sql: `select rr."id", rr."requested_at", rr."decided_at", rr."completed_at", rr."reason", rr."status", rr."amount_cents",
        p."num_trans" as "payment_num_trans", coalesce(rr."provider_reference", rr."settlement_reference") as "refund_reference",
        rr."settlement_method", rr."requested_by", rr."decided_by", r."id" as "registration_id", rr."username"
      from "refund_request" rr
      join "payment" p on p."id" = rr."payment_id"
      join "registration" r on r."id" = rr."registration_id"
      where ((rr."requested_at" >= ? and rr."requested_at" < ?) or (rr."completed_at" >= ? and rr."completed_at" < ?))${session}
      order by rr."requested_at", rr."id"`,
    params,
  };
}

/**
 * The reconciliation: one row per Paris day of the period (days without movement included): payments
 * by `paid_at`, completed refunds by `completed_at`. Same predicates as `summary`, so totals match.
 */
export function reconciliationSql(period: FinancePeriod): FinanceSql {
  const pw = paymentWhere(period);
  const rw = completedRefundWhere(period);
  return {
    sql: `with "days" as (
        select d::date as "day" from generate_series(?::date, ?::date, interval '1 day') d
      ), "pay" as (
        select (p."paid_at" at time zone '${FINANCE_ZONE}')::date as "day", count(*) as "n", sum(p."amount_cents") as "cents"
        from "payment" p join "registration" r on r."id" = p."registration_id"
        where ${pw.sql} group by 1
      ), "ref" as (
        select (rr."completed_at" at time zone '${FINANCE_ZONE}')::date as "day", count(*) as "n", sum(rr."amount_cents") as "cents"
        from "refund_request" rr join "registration" r on r."id" = rr."registration_id"
        where ${rw.sql} group by 1
      )
      select to_char(d."day", 'YYYY-MM-DD') as "day",
        coalesce(pay."n", 0)::bigint as "payments_count", coalesce(pay."cents", 0)::bigint as "gross_cents",
        coalesce(ref."n", 0)::bigint as "refunds_count", coalesce(ref."cents", 0)::bigint as "refunded_cents"
      from "days" d left join "pay" on pay."day" = d."day" left join "ref" on ref."day" = d."day"
      order by d."day"`,
    params: [period.from, period.to, ...pw.params, ...rw.params],
  };
}

/** Money read from PostgreSQL `bigint` (a string in node-postgres). */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export class FinanceService {
  /**
   * `financeSummary` (PAYMENTS, ADMIN): payments by `paid_at`, refunds completed (SUCCEEDED or
   * SETTLED_MANUALLY) by `completed_at`, pending = requested in the period and not final now; one
   * REPEATABLE READ read-only snapshot so the figures agree with each other.
   */
  async summary(ctx: ServiceContext, input: { from: string; to: string; sessionId?: string | null }): Promise<FinanceSummary> {
    const period = parsePeriod(input);
    const pw = paymentWhere(period);
    const rw = completedRefundWhere(period);
    const pendingParams: unknown[] = [period.start, period.end];
    let pendingSession = '';
    if (period.sessionId) {
      pendingSession = ' and r."session_id" = ?';
      pendingParams.push(period.sessionId);
    }
    // Read-only: on a read replica when DATABASE_REPLICA_URLS names one (issue 10), one consistent snapshot.
    return readSnapshot(ctx.em, async (execute) => {
      const brands = await execute<{ brand: CardBrand; n: string; cents: string }[]>(
        `select p."card_brand" as "brand", count(*) as "n", sum(p."amount_cents") as "cents"
         from "payment" p join "registration" r on r."id" = p."registration_id"
         where ${pw.sql} group by 1 order by 1`,
        pw.params,
      );
      const [refunds] = await execute<{ n: string; cents: string | null }[]>(
        `select count(*) as "n", sum(rr."amount_cents") as "cents"
         from "refund_request" rr join "registration" r on r."id" = rr."registration_id" where ${rw.sql}`,
        rw.params,
      );
      const [pending] = await execute<{ n: string }[]>(
        `select count(*) as "n" from "refund_request" rr join "registration" r on r."id" = rr."registration_id"
         where rr."status" in ${PENDING_SQL} and rr."requested_at" >= ? and rr."requested_at" < ?${pendingSession}`,
        pendingParams,
      );
      const byBrand = brands.map((b) => ({ brand: b.brand, count: num(b.n), grossCents: num(b.cents) }));
      const grossCents = byBrand.reduce((a, b) => a + b.grossCents, 0);
      const refundedCents = num(refunds.cents);
      return {
        from: period.from,
        to: period.to,
        currency: 'EUR',
        paymentsCount: byBrand.reduce((a, b) => a + b.count, 0),
        grossCents,
        refundsCount: num(refunds.n),
        refundedCents,
        netCents: grossCents - refundedCents,
        pendingRefundsCount: num(pending.n),
        byBrand,
      };
    });
  }
}
