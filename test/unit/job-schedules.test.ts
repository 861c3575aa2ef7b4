import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

/** JOB_SCHEDULES (README "Configuration"): cron expressions replacing jobs' own schedules. */

const dataDir = mkdtempSync(join(tmpdir(), 'cbo-job-schedules-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env });

describe('JOB_SCHEDULES', () => {
  it('R-JOB-1: none by default: every job keeps its own schedule', () => {
    expect(load({}).jobSchedules).toEqual({});
  });

  it('R-JOB-1: JOB_NAME=<cron expression> entries separated by ;, 5 or 6 fields (seconds first)', () => {
    expect(load({ JOB_SCHEDULES: ' COMPUTE_RESULTS = */2 * * * * ; ISSUE_CERTIFICATES=*/10 * * * * *;' }).jobSchedules).toEqual({
      COMPUTE_RESULTS: '*/2 * * * *',
      ISSUE_CERTIFICATES: '*/10 * * * * *',
    });
  });

  it('a bad entry stops the start with a message naming the variable', () => {
    for (const bad of ['COMPUTE_RESULTS', 'COMPUTE_RESULTS=every minute', 'compute=* * * * *', '=* * * * *', 'COMPUTE_RESULTS=61 * * * *']) {
      let error: unknown;
      try {
        load({ JOB_SCHEDULES: bad });
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n'), bad).toMatch(/^JOB_SCHEDULES entry/);
    }
  });
});
