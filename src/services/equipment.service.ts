import { createHash } from 'node:crypto';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { type EquipmentMeasures, failedRequirements, OPERATING_SYSTEMS, type OperatingSystem } from '../domain/equipment';
import * as v from '../domain/validate';
import { EquipmentCheck, Learner } from '../entities';
import { audit } from './audit.service';
import { assertOwnLearner } from './learner.service';

export interface RecordEquipmentCheckInput extends EquipmentMeasures {
  learnerId: string;
  screenshotBase64?: string | null;
}

/**
 * R-TEC-2: at most 700 KiB once decoded, so the base64 text fits in the 1 MiB request body limit of
 * /graphql (a compatibility-check screenshot is a few hundred KiB).
 */
export const MAX_SCREENSHOT_BYTES = 700 * 1024;

export interface Screenshot {
  bytes: Buffer;
  contentType: 'image/png' | 'image/jpeg';
  sha256: string;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

/**
 * Decodes a base64 screenshot (standard or URL-safe alphabet, optional `data:image/...;base64,`
 * prefix) and accepts only PNG or JPEG by their magic bytes, at most 700 KiB decoded.
 */
export function decodeScreenshot(base64: string, field: string[] = ['input', 'screenshotBase64']): Screenshot {
  const text = base64.replace(/^data:image\/(png|jpeg);base64,/, '').replace(/\s+/g, '');
  if (text.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || text.length % 4 === 1) v.fail(field, 'screenshotBase64 is not base64');
  // Checked on the encoded length first, so an oversized upload is never decoded.
  if (Math.floor((text.length * 3) / 4) - 2 > MAX_SCREENSHOT_BYTES) v.fail(field, `the screenshot must be at most ${MAX_SCREENSHOT_BYTES} bytes`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > MAX_SCREENSHOT_BYTES) v.fail(field, `the screenshot must be at most ${MAX_SCREENSHOT_BYTES} bytes`);
  let contentType: Screenshot['contentType'];
  if (bytes.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC)) contentType = 'image/png';
  else if (bytes.subarray(0, JPEG_MAGIC.length).equals(JPEG_MAGIC)) contentType = 'image/jpeg';
  else v.fail(field, 'the screenshot must be a PNG or JPEG image');
  return { bytes, contentType, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const f = (name: string) => ['input', name];

/** R-TEC-1..3: equipment checks, recorded by support, the platform or the learner themself. */
export class EquipmentService {
  async record(ctx: ServiceContext, input: RecordEquipmentCheckInput): Promise<EquipmentCheck> {
    const learnerId = v.uuid(input.learnerId, f('learnerId'));
    assertOwnLearner(ctx, learnerId, f('learnerId'));
    if (!(OPERATING_SYSTEMS as readonly string[]).includes(input.operatingSystem)) v.fail(f('operatingSystem'), 'unknown operating system');
    const measures: EquipmentMeasures = {
      operatingSystem: input.operatingSystem as OperatingSystem,
      osVersion: v.text(input.osVersion, f('osVersion'), { max: 64 }),
      webcamWidth: v.intRange(input.webcamWidth, f('webcamWidth'), 0, 100_000),
      webcamHeight: v.intRange(input.webcamHeight, f('webcamHeight'), 0, 100_000),
      hasMicrophone: input.hasMicrophone,
      hasSpeakers: input.hasSpeakers,
      downloadKbps: v.intRange(input.downloadKbps, f('downloadKbps'), 0, 100_000_000),
      uploadKbps: v.intRange(input.uploadKbps, f('uploadKbps'), 0, 100_000_000),
      port1935Open: input.port1935Open,
      publicPlace: input.publicPlace,
    };
    const screenshot = input.screenshotBase64 != null ? decodeScreenshot(input.screenshotBase64) : null;
    const failed = failedRequirements(measures);
    return ctx.em.transactional(async (em) => {
      const learner = await em.findOne(Learner, { id: learnerId });
      if (!learner) throw new DomainError('NOT_FOUND', 'No learner with this id', f('learnerId'));
      const check = em.create(EquipmentCheck, {
        learner,
        ...measures,
        checkedAt: ctx.clock.now(),
        recordedBy: actorOf(ctx.viewer),
        compatible: failed.length === 0,
        failedRequirements: failed,
        screenshot: screenshot?.bytes ?? null,
        screenshotContentType: screenshot?.contentType ?? null,
        screenshotSha256: screenshot?.sha256 ?? null,
      });
      audit(em, ctx, 'equipment-check.record', { type: 'EquipmentCheck', id: check.id }, {
        learnerId,
        compatible: check.compatible,
        failedRequirements: failed,
        screenshotSha256: check.screenshotSha256,
      });
      await em.flush();
      return check;
    });
  }
}
