import 'reflect-metadata';
import { openBenchDatabase } from './bench-db';
import { systemViewer } from '../src/auth/viewer';
import { TestClock } from '../src/clock';
import { type ServiceContext } from '../src/context';
import { DEMO_SESSIONS } from '../src/demo/demo-data';
import { createLogger } from '../src/logging';
import { slotStarts } from '../src/domain/calendar';
import { CertificationSession } from '../src/entities';
import { AppointmentService } from '../src/services/appointment.service';

/**
 * availableSlots (R-SCH-3) over the whole seed period (276 slots) with 10 000 BOOKED appointments,
 * against the least a database can do for the same answer: one `GROUP BY starts_at` over those
 * appointments. Both run through the same MikroORM connection pool, one fresh entity manager per call
 * (as a request). Unit: calls per second; ratio = ours / baseline (higher is better).
 */
export const name = 'availableSlots, seed period, 10 000 appointments';

const APPOINTMENTS = 10_000;
const ITERATIONS = 300;
const WARM_UP = 30;

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return ITERATIONS / seconds;
}

export async function run(): Promise<{ ours: number; baseline: number; unit: string; target: number }> {
  const db = await openBenchDatabase();
  const { orm } = db;
  try {
    const clock = new TestClock(new Date('2017-02-20T12:00:00Z'));
    const { config } = db;
    const em = orm.em.fork();
    const session = em.create(CertificationSession, {
      // The guide's session (R-SES-1), with room for 10 000 appointments over 276 slots (~36 a slot).
      ...DEMO_SESSIONS[0].input,
      slotCapacity: 40,
      createdAt: new Date(),
      createdBy: 'bench',
    });
    await em.flush();
    const starts = slotStarts(session).map((d) => d.toISOString());

    // Bulk inserts (not the API): learners, paid registrations, then BOOKED appointments spread over every slot.
    const conn = orm.em.getConnection();
    await conn.execute(
      `insert into learner (id, external_id, email, username, given_name, family_name, phone, address, city, time_zone, country, created_at, updated_at)
       select gen_random_uuid(), 'bench-' || i, 'bench' || i || '@example.org', 'bench' || i, 'Camille', 'Bench' || i,
              '+33 1 99 00 00 00', '1 rue de la Paix', 'Lyon', 'Europe/Paris', 'FR', now(), now()
       from generate_series(1, ${APPOINTMENTS}) i`,
    );
    await conn.execute(
      `insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
                                 locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
       select gen_random_uuid(), ?, id, 'ACTIVE', now(), '2017-01', now(), given_name, family_name, now(), now(), now(), 'bench' from learner`,
      [session.id],
    );
    await conn.execute(
      `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
       select gen_random_uuid(), r.id, r.session_id, st.starts[(r.rn % ${starts.length}) + 1], st.starts[(r.rn % ${starts.length}) + 1] + interval '30 minutes', 'BOOKED', now(), 'bench'
       from (select id, session_id, row_number() over (order by id) - 1 as rn from registration) r, (select ?::timestamptz[] as starts) st`,
      [`{${starts.join(',')}}`],
    );
    await conn.execute('analyze');
    const [{ n }] = await conn.execute<{ n: string }[]>(`select count(*) as n from appointment where status = 'BOOKED'`);
    if (Number(n) !== APPOINTMENTS) throw new Error(`expected ${APPOINTMENTS} appointments, found ${n}`);

    const service = new AppointmentService();
    const log = createLogger('silent', () => undefined);
    const ctx = (): ServiceContext => ({ em: orm.em.fork(), viewer: systemViewer('bench'), clock, config, requestId: 'bench', log });
    const check = await service.availableSlots(ctx(), { sessionId: session.id });
    if (check.length !== 276) throw new Error(`expected 276 available slots, got ${check.length}`);

    const ours = await timeIt(() => service.availableSlots(ctx(), { sessionId: session.id }));
    const baseline = await timeIt(() =>
      ctx().em.execute(`select starts_at, count(*) from appointment where session_id = ? and status = 'BOOKED' group by starts_at`, [session.id]),
    );
    return { ours, baseline, unit: 'calls/s', target: 1 };
  } finally {
    await db.close();
  }
}
