import { type FastifyBaseLogger } from 'fastify';
import { systemViewer } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Orm } from '../db/orm';
import { IN_FLIGHT_GRACE_MS, type RecoveryReport, type RefundService } from './refund.service';


/**
 * Start-up step (main.ts, after migrations, before the server takes refund traffic in earnest):
 * resolves every refund left PROCESSING by a crash, by consulting Paybox (R-REF-7). Requests too
 * recent to be judged get one more pass once the grace period is over.
 */
export async function recoverRefundsAtStartup(deps: { orm: Orm; clock: Clock; config: Config; log: FastifyBaseLogger; refunds: RefundService }): Promise<RecoveryReport> {
  const run = () =>
    deps.refunds.recoverInterrupted(
      { em: deps.orm.em.fork(), viewer: systemViewer('refund-recovery'), clock: deps.clock, config: deps.config, requestId: 'refund-recovery', log: deps.log },
      { olderThanMs: IN_FLIGHT_GRACE_MS },
    );
  const report = await run();
  if (report.succeeded + report.failed + report.unknown + report.skipped > 0) deps.log.warn({ ...report }, 'refunds left PROCESSING by an interruption');
  if (report.skipped > 0) {
    setTimeout(() => {
      run()
        .then((again) => deps.log.info({ ...again }, 'refund recovery, second pass'))
        .catch((err: unknown) => deps.log.error({ err }, 'refund recovery failed'));
    }, IN_FLIGHT_GRACE_MS + 1_000).unref();
  }
  return report;
}
