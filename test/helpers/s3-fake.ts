import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * An in-process S3-compatible HTTP server for the tests, speaking the S3 REST protocol as the AWS SDK
 * sends it, path-style (`/<bucket>/<key>`): PutObject, CreateMultipartUpload / UploadPart /
 * CompleteMultipartUpload / AbortMultipartUpload, GetObject (with `Range`), HeadObject, DeleteObject,
 * with XML errors (`NoSuchKey`, `NoSuchBucket`, `NoSuchUpload`, `InvalidRange`, `SignatureDoesNotMatch`).
 * Every request's AWS Signature V4 (`Authorization: AWS4-HMAC-SHA256 ...`) is checked against the
 * configured secret, and a signed payload hash against the body. Objects are kept in memory.
 */
export interface S3Fake {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** Stored objects by key (the bytes as the store wrote them: ciphertext under SealedStore). */
  objects: Map<string, Buffer>;
  /** Multipart uploads still open (neither completed nor aborted). */
  openUploads(): number;
  /** One line per request: `PutObject key`, `UploadPart key 2`, ... */
  log: string[];
  /** The environment for `startTestServer({ env })` with STORAGE=s3://. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

interface Upload {
  key: string;
  parts: Map<number, Buffer>;
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding, as SigV4 wants it. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function sendError(res: ServerResponse, status: number, code: string, message: string, method: string): void {
  res.statusCode = status;
  if (method === 'HEAD') {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/xml');
  res.end(xml(`<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Verifies the SigV4 header signature; answers the reason when it does not hold. */
function checkSignature(req: IncomingMessage, body: Buffer, accessKey: string, secretKey: string): string | null {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'missing or malformed Authorization header';
  const [, key, date, region, signedHeaders, signature] = m;
  if (key !== accessKey) return 'unknown access key';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date)) return 'x-amz-date does not match the credential scope';
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return 'payload hash does not match the body';
  const url = new URL(req.url ?? '/', 'http://fake');
  const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
  const query = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const v = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
      return [encode(k), encode(v)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders
    .split(';')
    .map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonical = [req.method, url.pathname, query, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), 's3'), 'aws4_request');
  const expected = hmac(signingKey, toSign);
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'signature does not match';
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 ? 'invalid' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? 'invalid' : { start, end };
}

export async function startS3Fake(opts: { bucket?: string; accessKey?: string; secretKey?: string } = {}): Promise<S3Fake> {
  const bucket = opts.bucket ?? 'cbo-test-objects';
  const accessKey = opts.accessKey ?? 'fake-access-key';
  const secretKey = opts.secretKey ?? 'fake-secret-key-for-the-s3-tests';
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Upload>();
  const log: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const problem = checkSignature(req, body, accessKey, secretKey);
    if (problem) return sendError(res, 403, 'SignatureDoesNotMatch', problem, method);
    const url = new URL(req.url ?? '/', 'http://fake');
    const [, bucketName, ...rest] = url.pathname.split('/');
    if (bucketName !== bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', method);
    const key = decodeURIComponent(rest.join('/'));
    if (!key) return sendError(res, 400, 'InvalidRequest', 'bucket operations are not supported by this fake', method);
    const q = url.searchParams;
    const uploadId = q.get('uploadId');

    if (method === 'POST' && q.has('uploads')) {
      const id = randomUUID();
      uploads.set(id, { key, parts: new Map() });
      log.push(`CreateMultipartUpload ${key}`);
      res.setHeader('content-type', 'application/xml');
      res.end(xml(`<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`));
      return;
    }
    if (uploadId !== null) {
      const upload = uploads.get(uploadId);
      if (!upload || upload.key !== key) return sendError(res, 404, 'NoSuchUpload', 'The specified upload does not exist', method);
      if (method === 'PUT') {
        const n = Number(q.get('partNumber'));
        upload.parts.set(n, body);
        log.push(`UploadPart ${key} ${n}`);
        res.setHeader('etag', `"${createHash('md5').update(body).digest('hex')}"`);
        res.end();
        return;
      }
      if (method === 'POST') {
        const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((x) => Number(x[1]));
        if (numbers.length === 0 || numbers.some((n) => !upload.parts.has(n))) return sendError(res, 400, 'InvalidPart', 'a listed part was not uploaded', method);
        objects.set(key, Buffer.concat(numbers.map((n) => upload.parts.get(n)!)));
        uploads.delete(uploadId);
        log.push(`CompleteMultipartUpload ${key} ${numbers.length}`);
        res.setHeader('content-type', 'application/xml');
        res.end(xml(`<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"${randomUUID()}-${numbers.length}"</ETag></CompleteMultipartUploadResult>`));
        return;
      }
      if (method === 'DELETE') {
        uploads.delete(uploadId);
        log.push(`AbortMultipartUpload ${key}`);
        res.statusCode = 204;
        res.end();
        return;
      }
    }
    if (method === 'PUT') {
      objects.set(key, body);
      log.push(`PutObject ${key}`);
      res.setHeader('etag', `"${createHash('md5').update(body).digest('hex')}"`);
      res.end();
      return;
    }
    if (method === 'DELETE') {
      objects.delete(key);
      log.push(`DeleteObject ${key}`);
      res.statusCode = 204;
      res.end();
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      log.push(`${method === 'GET' ? 'GetObject' : 'HeadObject'} ${key}`);
      const data = objects.get(key);
      if (!data) return sendError(res, 404, method === 'HEAD' ? 'NotFound' : 'NoSuchKey', 'The specified key does not exist.', method);
      const range = parseRange(req.headers.range, data.length);
      if (range === 'invalid') {
        res.setHeader('content-range', `bytes */${data.length}`);
        return sendError(res, 416, 'InvalidRange', 'The requested range is not satisfiable', method);
      }
      const slice = range ? data.subarray(range.start, range.end + 1) : data;
      res.statusCode = range ? 206 : 200;
      if (range) res.setHeader('content-range', `bytes ${range.start}-${range.end}/${data.length}`);
      res.setHeader('accept-ranges', 'bytes');
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(slice.length));
      res.setHeader('etag', `"${createHash('md5').update(data).digest('hex')}"`);
      res.end(method === 'HEAD' ? undefined : slice);
      return;
    }
    sendError(res, 405, 'MethodNotAllowed', `${method} is not supported`, method);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, 500, 'InternalError', String(err), req.method ?? 'GET'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    bucket,
    accessKey,
    secretKey,
    objects,
    log,
    openUploads: () => uploads.size,
    env: () => ({ STORAGE: `s3://${bucket}`, S3_ENDPOINT: endpoint, S3_ACCESS_KEY: accessKey, S3_SECRET_KEY: secretKey }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
