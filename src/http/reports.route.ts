import { type FastifyInstance, type FastifyRequest } from 'fastify';
import pg from 'pg';
import { type Clock } from '../clock';
import { type Orm } from '../db/orm';
import { DomainError, isDomainError } from '../domain/errors';
import { type Services } from '../services';
import { audit } from '../services/audit.service';
import { csvStream, ExportRun, REPORT_FORMATS, REPORT_NAMES, REPORTS, type ReportFormat, type ReportName, xlsxStream } from '../services/finance-export';
import { parsePeriod } from '../services/finance.service';

export interface ReportsDeps {
  orm: Orm;
  /** Exports hold one pooled connection each, apart from the ORM's pool. */
  clientUrl: string;
  /** Read replicas (DATABASE_REPLICA_URLS): exports read there, in turn; audit events still go to the primary. */
  replicaUrls?: readonly string[];
  clock: Clock;
  services: Services;
}

/** At most this many exports stream at once (each holds a connection for its whole transaction). */
const EXPORT_CONNECTIONS = 4;

const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function parseFile(file: string): { name: ReportName; format: ReportFormat } {
  const dot = file.lastIndexOf('.');
  const name = (dot < 0 ? file : file.slice(0, dot)) as ReportName;
  const format = (dot < 0 ? '' : file.slice(dot + 1)) as ReportFormat;
  if (!REPORT_NAMES.includes(name)) throw new DomainError('VALIDATION', `unknown report: expected one of ${REPORT_NAMES.join(', ')}`, ['name']);
  if (!REPORT_FORMATS.includes(format)) throw new DomainError('VALIDATION', `unknown format: expected one of ${REPORT_FORMATS.join(', ')}`, ['format']);
  return { name, format };
}

/**
 * `GET /reports/:name.:format?from=&to=[&sessionId=]` (contract/HTTP.md): PAYMENTS and ADMIN; no or
 * a refused token is 401, another role 403, bad parameters 400 `{ error, code, field }`. The body is
 * streamed from one consistent snapshot; an audit event `finance.report.exported` records who, which
 * report, the period and the row count (`completed: false` when the client went away).
 */
export async function reportsRoute(fastify: FastifyInstance, deps: ReportsDeps): Promise<void> {
  const urls = deps.replicaUrls?.length ? deps.replicaUrls : [deps.clientUrl];
  const pools = urls.map((url) => new pg.Pool({ connectionString: url, max: EXPORT_CONNECTIONS }));
  for (const pool of pools) pool.on('error', (err) => fastify.log.warn({ err }, 'finance export connection error'));
  fastify.addHook('onClose', async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });
  let turn = 0;

  fastify.get('/reports/:file', async (request: FastifyRequest<{ Params: { file: string }; Querystring: Record<string, unknown> }>, reply) => {
    const viewer = await deps.services.identity.resolveViewer(deps.orm.em.fork(), request.headers.authorization);
    if (viewer.kind === 'ANONYMOUS') return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'authentication required', code: 'UNAUTHENTICATED' });
    if (!viewer.roles.some((r) => r === 'PAYMENTS' || r === 'ADMIN')) return reply.code(403).send({ error: 'finance reports need the PAYMENTS role', code: 'FORBIDDEN' });

    let name: ReportName, format: ReportFormat, period: ReturnType<typeof parsePeriod>;
    try {
      ({ name, format } = parseFile(request.params.file));
      const q = request.query;
      period = parsePeriod({ from: q.from, to: q.to, sessionId: q.sessionId });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return reply.code(400).send({ error: err.message, code: err.code, field: err.field ?? null });
    }

    const ctx = { viewer, clock: deps.clock, requestId: String(request.id) };
    const run = await ExportRun.open(pools[turn++ % pools.length], REPORTS[name], period, async ({ rows, completed }) => {
      try {
        const em = deps.orm.em.fork();
        audit(em, ctx, 'finance.report.exported', { type: 'FinanceReport', id: name }, { report: name, format, from: period.from, to: period.to, sessionId: period.sessionId, rows, completed });
        await em.flush();
      } catch (err) {
        request.log.error({ err }, 'finance export: audit event not written');
      }
    });
    const body = format === 'csv' ? csvStream(run) : xlsxStream(run, name);
    const suffix = period.sessionId ? `_${period.sessionId}` : '';
    return reply
      .code(200)
      .header('content-type', CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="${name}_${period.from}_${period.to}${suffix}.${format}"`)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
