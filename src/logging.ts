import { type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import pino from 'pino';
import { type Config } from './config';

/**
 * The one logging configuration (issue 13): structured JSON lines (pino, fastify's own logger), one
 * request id under `requestId` on every line of a request (resolvers, services and provider calls log
 * through the request's child logger `ctx.log`; a job run logs as `job-<runId>`), and secrets and
 * personal data redacted once here, for fastify's logger and every child logger derived from it.
 */

/** Keys whose values never reach a log line, at any depth up to four levels (pino paths have no deep wildcard). */
export const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'newPassword',
  'proctorPassword',
  'secret',
  'tokenSecret',
  'signature',
  'sig',
  'SIGN',
  'cardNumber',
  'pan',
  'PORTEUR',
  'cvv',
  'CVV',
  'DATEVAL',
  'cardExpiry',
  'phone',
  'address',
  'email',
  'dataKey',
];

/** Paths for pino's `redact`: `key`, `*.key`, `*.*.key`, `*.*.*.key` for every key above. */
export function redactPaths(keys: readonly string[] = REDACTED_KEYS): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const sep = k.startsWith('[') ? '' : '.';
    paths.push(k, `*${sep}${k}`, `*.*${sep}${k}`, `*.*.*${sep}${k}`);
  }
  return paths;
}

export const REDACT_CENSOR = '[redacted]';

/** Query parameters that carry a secret (signed links, tokens, Paybox's `sign`) or card data (Paybox's `validite`, `auto`): masked in the logged URL. */
const SECRET_PARAMS = /([?&](?:sig|sign|signature|token|access_token|key|validite|auto|porteur|dateval|cvv)=)[^&#]*/gi;

export function maskUrl(url: string): string {
  return url.replace(SECRET_PARAMS, `$1${REDACT_CENSOR}`);
}

interface LoggedRequest {
  method: string;
  url: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The options of fastify's logger; `stream` lets a test capture the lines. */
export function loggerOptions(config: Pick<Config, 'logLevel'>, stream?: { write(line: string): void }): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level: config.logLevel,
    redact: { paths: redactPaths(), censor: REDACT_CENSOR },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: maskUrl(req.url), hostname: req.hostname, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
    },
    ...(stream ? { stream } : {}),
  };
}

/** The label of the request id on every log line (fastify's default is `reqId`). */
export const REQUEST_ID_LOG_LABEL = 'requestId';

/**
 * A logger for code that runs outside the HTTP server (the demo seeder's CLI, scripts, tests): pino with
 * exactly the options above (the same redaction), writing JSON lines to `write` (default: stderr).
 * `level: 'silent'` writes nothing.
 */
export function createLogger(level: string, write?: (line: string) => void): FastifyBaseLogger {
  const options = loggerOptions({ logLevel: level }) as pino.LoggerOptions;
  return pino(options, write ? { write } : pino.destination(2)) as unknown as FastifyBaseLogger;
}
