import { describe, expect, it } from 'vitest';
import { createLogger, REDACT_CENSOR } from '../../src/logging';

/** Issue 13: loggers outside the HTTP server (the demo seeder's CLI, scripts) share the server's redaction. */
describe('createLogger', () => {
  it('writes JSON lines through the one redaction list, child loggers included', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => void lines.push(l));
    log.child({ requestId: 'seed-demo' }).info(
      { learner: { email: 'camille@example.org', phone: '+33 1 99 00 12 34', address: '6 cours Albert Thomas' }, input: { password: 'hunter2' }, authorization: 'Bearer s.abc' },
      'demo: learners',
    );
    log.debug({ step: 'hidden' }, 'below the level');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'demo: learners',
      requestId: 'seed-demo',
      learner: { email: REDACT_CENSOR, phone: REDACT_CENSOR, address: REDACT_CENSOR },
      input: { password: REDACT_CENSOR },
      authorization: REDACT_CENSOR,
    });
    for (const secret of ['camille@example.org', '+33 1 99 00 12 34', 'hunter2', 's.abc']) expect(lines[0]).not.toContain(secret);
  });

  it("level 'silent' writes nothing", () => {
    const lines: string[] = [];
    createLogger('silent', (l) => void lines.push(l)).error({ x: 1 }, 'nothing');
    expect(lines).toEqual([]);
  });
});
