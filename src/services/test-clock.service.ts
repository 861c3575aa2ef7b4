import { GraphQLError } from 'graphql';
import { type ServiceContext } from '../context';
import { audit } from './audit.service';

/** setTestClock: only with TEST_CLOCK=1 (never in production); moves the domain clock, not security lifetimes. */
export class TestClockService {
  async set(ctx: ServiceContext, now: Date): Promise<Date> {
    if (!ctx.clock.settable) throw new GraphQLError('The test clock is off (start the server with TEST_CLOCK=1)', { extensions: { code: 'FORBIDDEN' } });
    const before = ctx.clock.now();
    ctx.clock.set(now);
    await ctx.em.transactional(async (em) => {
      audit(em, ctx, 'test-clock.set', { type: 'Clock', id: 'domain' }, { from: before.toISOString(), to: now.toISOString() });
    });
    return ctx.clock.now();
  }
}
