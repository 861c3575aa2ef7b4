import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sqlClient } from '../helpers/database';
import { auditEvents, expectNoWrites, expectUserError, payloadOf, topLevelCodes } from '../helpers/inputs-common';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const RECORD = `mutation($i: RecordEquipmentCheckInput!) { recordEquipmentCheck(input: $i) {
  equipmentCheck { id checkedAt compatible failedRequirements hasScreenshot recordedBy operatingSystem osVersion screenshotSha256 screenshotContentType }
  errors { code message field } } }`;

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('a tiny screenshot')]);

const check = (learnerId: string, overrides: Record<string, unknown> = {}) => ({
  learnerId,
  operatingSystem: 'WINDOWS',
  osVersion: '10',
  webcamWidth: 1280,
  webcamHeight: 720,
  hasMicrophone: true,
  hasSpeakers: true,
  downloadKbps: 10_000,
  uploadKbps: 1_000,
  port1935Open: true,
  publicPlace: false,
  ...overrides,
});

type Check = { id: string; compatible: boolean; failedRequirements: string[]; hasScreenshot: boolean; [k: string]: unknown };

describe('R-TEC-2 recordEquipmentCheck', () => {
  it('R-TEC-1/R-TEC-2: a compatible check is stored with no failed requirement, by the learner themself', async () => {
    const learner = await s.newLearner();
    await s.setClock('2017-02-05T18:00:00Z');
    const p = payloadOf<{ equipmentCheck: Check }>(await s.gql(RECORD, { i: check(learner.id) }, learner.token), 'recordEquipmentCheck');
    expect(p.errors).toEqual([]);
    expect(p.equipmentCheck).toMatchObject({ compatible: true, failedRequirements: [], hasScreenshot: false, checkedAt: '2017-02-05T18:00:00.000Z', recordedBy: `learner:${learner.id}` });
    const events = await auditEvents(s, { subjectId: p.equipmentCheck.id });
    expect(events.map((e) => e.action)).toEqual(['equipment-check.record']);
  });

  it('R-TEC-1/R-TEC-2: Windows XP on a public Wi-Fi with a closed port 1935 is incompatible and says which requirements failed', async () => {
    const learner = await s.newLearner();
    const p = payloadOf<{ equipmentCheck: Check }>(
      await s.gql(RECORD, { i: check(learner.id, { osVersion: 'XP', publicPlace: true, port1935Open: false, uploadKbps: 200 }) }, await s.tokenFor('SUPPORT')),
      'recordEquipmentCheck',
    );
    expect(p.equipmentCheck).toMatchObject({ compatible: false, failedRequirements: ['OPERATING_SYSTEM', 'UPLOAD_BANDWIDTH', 'PORT_1935', 'PRIVATE_PLACE'] });
  });

  it('R-TEC-2: a PNG screenshot is stored with its bytes, content type and SHA-256; hasScreenshot is true', async () => {
    const learner = await s.newLearner();
    const p = payloadOf<{ equipmentCheck: Check }>(
      await s.gql(RECORD, { i: check(learner.id, { operatingSystem: 'MACOS', osVersion: '10.12', screenshotBase64: PNG.toString('base64') }) }, await s.tokenFor('INTEGRATION')),
      'recordEquipmentCheck',
    );
    const sha = createHash('sha256').update(PNG).digest('hex');
    expect(p.equipmentCheck).toMatchObject({ compatible: true, hasScreenshot: true, screenshotSha256: sha, screenshotContentType: 'image/png' });
    const db = await sqlClient(s.dbUrl);
    try {
      const { rows } = await db.query('select screenshot, screenshot_content_type, screenshot_sha256 from equipment_check where id = $1', [p.equipmentCheck.id]);
      expect(Buffer.compare(rows[0].screenshot as Buffer, PNG)).toBe(0);
      expect(rows[0]).toMatchObject({ screenshot_content_type: 'image/png', screenshot_sha256: sha });
    } finally {
      await db.end();
    }
  });

  it('R-TEC-2: a screenshot that is not PNG or JPEG, or not base64, is VALIDATION_FAILED and nothing is stored', async () => {
    const learner = await s.newLearner();
    const token = await s.tokenFor('SUPPORT');
    for (const bad of [Buffer.from('GIF89a not allowed').toString('base64'), '*** not base64 ***']) {
      const r = await expectNoWrites(s, () => s.gql(RECORD, { i: check(learner.id, { screenshotBase64: bad }) }, token));
      expectUserError(r, 'recordEquipmentCheck', 'equipmentCheck', 'VALIDATION_FAILED', [['input', 'screenshotBase64']]);
    }
  });

  it('R-TEC-2: negative measures are VALIDATION_FAILED', async () => {
    const learner = await s.newLearner();
    const r = await expectNoWrites(s, () => s.gql(RECORD, { i: check(learner.id, { downloadKbps: -1 }) }, learner.token));
    expectUserError(r, 'recordEquipmentCheck', 'equipmentCheck', 'VALIDATION_FAILED', [['input', 'downloadKbps']]);
  });

  it('R-SEC-1: SUPPORT, INTEGRATION, ADMIN and the learner themself record; another learner gets NOT_FOUND; PAYMENTS and CERTIFICATION are FORBIDDEN', async () => {
    const learner = await s.newLearner();
    for (const role of ['SUPPORT', 'INTEGRATION', 'ADMIN'] as const) {
      const p = payloadOf<{ equipmentCheck: Check }>(await s.gql(RECORD, { i: check(learner.id) }, await s.tokenFor(role)), 'recordEquipmentCheck');
      expect(p.errors, role).toEqual([]);
    }
    const other = await s.newLearner();
    const r = await expectNoWrites(s, () => s.gql(RECORD, { i: check(learner.id) }, other.token));
    expectUserError(r, 'recordEquipmentCheck', 'equipmentCheck', 'NOT_FOUND', [['input', 'learnerId']]);
    for (const role of ['PAYMENTS', 'CERTIFICATION'] as const) {
      const token = await s.tokenFor(role);
      const f = await expectNoWrites(s, () => s.gql(RECORD, { i: check(learner.id) }, token));
      expect(topLevelCodes(f)).toEqual(['FORBIDDEN']);
    }
  });

  it('R-TEC-2: Learner.equipmentChecks lists the checks newest first, to the learner and to staff', async () => {
    const learner = await s.newLearner();
    const token = await s.tokenFor('SUPPORT');
    const ids: string[] = [];
    for (const [i, at] of ['2017-02-06T10:00:00Z', '2017-02-07T10:00:00Z', '2017-02-08T10:00:00Z'].entries()) {
      await s.setClock(at);
      const p = payloadOf<{ equipmentCheck: Check }>(await s.gql(RECORD, { i: check(learner.id, { osVersion: i === 0 ? 'XP' : '10' }) }, token), 'recordEquipmentCheck');
      ids.push(p.equipmentCheck.id);
    }
    const Q = 'query($id: ID!) { learner(id: $id) { equipmentChecks { id checkedAt compatible failedRequirements hasScreenshot } } }';
    for (const t of [learner.token, token]) {
      const r = await s.gql<{ learner: { equipmentChecks: Check[] } }>(Q, { id: learner.id }, t);
      expect(r.errors).toBeUndefined();
      expect(r.data!.learner.equipmentChecks.map((c) => c.id)).toEqual([...ids].reverse());
      expect(r.data!.learner.equipmentChecks[2]).toMatchObject({ compatible: false, failedRequirements: ['OPERATING_SYSTEM'] });
    }
  });
});
