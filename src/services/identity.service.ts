import { randomBytes } from 'node:crypto';
import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { API_TOKEN_PREFIX, newApiToken, sha256Hex, type TokenSigner } from '../auth/tokens';
import { ANONYMOUS, systemViewer, type Viewer } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { type Role, SERVICE_ROLES, STAFF_ROLES } from '../domain/roles';
import * as v from '../domain/validate';
import { ApiToken, Learner, StaffUser } from '../entities';
import { audit } from './audit.service';
import { selectRows } from './plain-rows';
import { bruteForceRules, consumeRateLimit, forgiveRateLimit } from './rate-limit';

export interface LoginInput {
  email: string;
  password: string;
}
export interface CreateStaffUserInput {
  email: string;
  displayName: string;
  password: string;
  roles: Role[];
}
export interface CreateApiTokenInput {
  name: string;
  roles: Role[];
}

const MIN_PASSWORD = 12;
const MAX_PASSWORD = 256;

function checkRoles(roles: Role[], allowed: readonly Role[], field: string[]): Role[] {
  const unique = [...new Set(roles)];
  if (unique.length === 0) v.fail(field, 'at least one role is required');
  const refused = unique.filter((r) => !allowed.includes(r));
  if (refused.length > 0) v.fail(field, `role ${refused.join(', ')} cannot be given here (allowed: ${allowed.join(', ')})`);
  return unique;
}

/** Staff accounts, service accounts, learner tokens and the viewer of each request. */
export class IdentityService {
  constructor(
    private readonly signer: TokenSigner,
    private readonly config: Config,
    private readonly clock: Clock,
  ) {}

  /**
   * Resolves the `Authorization: Bearer` header into a viewer. Never throws: a bad token gives an anonymous viewer with `tokenProblem`.
   * Read on every request, never cached (a revoked token or a disabled account is refused on its next request), so as plain rows:
   * one indexed lookup without entity hydration (bench/README.md, "Read path").
   */
  async resolveViewer(em: EntityManager, authorization: string | undefined): Promise<Viewer> {
    if (!authorization) return ANONYMOUS;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { ...ANONYMOUS, tokenProblem: 'malformed' };
    const token = m[1];
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const [row] = await selectRows(em, ApiToken, { where: 'e.token_hash = ?', params: [sha256Hex(token)] });
      if (!row) return { ...ANONYMOUS, tokenProblem: 'unknown' };
      if (row.revokedAt) return { ...ANONYMOUS, tokenProblem: 'revoked' };
      return { kind: 'SERVICE', id: row.id, displayName: row.name, roles: row.roles };
    }
    const checked = this.signer.verify(token, this.clock.realNow().getTime());
    if (!checked.ok) return { ...ANONYMOUS, tokenProblem: checked.reason };
    const { claims } = checked;
    if (claims.kind === 'l') {
      const [learner] = await selectRows(em, Learner, { where: 'e.id = ?', params: [claims.sub] });
      if (!learner) return { ...ANONYMOUS, tokenProblem: 'unknown' };
      return { kind: 'LEARNER', id: learner.id, learnerId: learner.id, displayName: `${learner.givenName} ${learner.familyName}`, roles: ['LEARNER'] };
    }
    const [user] = await selectRows(em, StaffUser, { where: 'e.id = ?', params: [claims.sub] });
    if (!user) return { ...ANONYMOUS, tokenProblem: 'unknown' };
    if (user.disabledAt) return { ...ANONYMOUS, tokenProblem: 'disabled' };
    return { kind: 'STAFF', id: user.id, email: user.email, displayName: user.displayName, roles: user.roles };
  }

  /**
   * Same answer and about the same time whether the e-mail exists or the password is wrong. Failures
   * are limited per e-mail and per client address (rate-limit.ts): past the limit the answer is the same
   * INVALID_CREDENTIALS, after the same work, but the password is checked against a dummy hash.
   */
  async login(ctx: ServiceContext & { clientAddress?: string }, input: LoginInput): Promise<{ token: string; expiresAt: Date; viewer: Viewer }> {
    const email = input.email.trim().toLowerCase();
    const password = input.password;
    const realNow = this.clock.realNow();
    const rules = bruteForceRules(this.config);
    const tickets = [await consumeRateLimit(ctx.em, rules.loginPerEmail, email.slice(0, 320), realNow)];
    if (ctx.clientAddress) tickets.push(await consumeRateLimit(ctx.em, rules.loginPerAddress, ctx.clientAddress, realNow));
    const allowed = tickets.every((t) => t.allowed);
    const user = email.length <= 254 && !email.includes('\u0000') ? await ctx.em.findOne(StaffUser, { email }, { populate: ['passwordHash'] }) : null;
    const ok = await verifyPassword(allowed ? user?.passwordHash : undefined, password.length <= MAX_PASSWORD ? password : '');
    if (!allowed || !user || !ok || user.disabledAt || password.length > MAX_PASSWORD) {
      throw new DomainError('INVALID_CREDENTIALS', 'E-mail or password is wrong', ['input']);
    }
    await forgiveRateLimit(ctx.em, tickets);
    const iat = Math.floor(this.clock.realNow().getTime() / 1000);
    const exp = iat + this.config.staffTokenTtlSeconds;
    const viewer: Viewer = { kind: 'STAFF', id: user.id, email: user.email, displayName: user.displayName, roles: user.roles };
    await ctx.em.transactional(async (em) => {
      audit(em, { ...ctx, viewer }, 'staff.login', { type: 'StaffUser', id: user.id });
    });
    return { token: this.signer.sign({ kind: 's', sub: user.id, iat, exp }), expiresAt: new Date(exp * 1000), viewer };
  }

  async createStaffUser(ctx: ServiceContext, input: CreateStaffUserInput): Promise<StaffUser> {
    const email = v.email(input.email, ['input', 'email']);
    const displayName = v.text(input.displayName, ['input', 'displayName']);
    if (input.password.length < MIN_PASSWORD || input.password.length > MAX_PASSWORD) {
      v.fail(['input', 'password'], `password must have ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
    }
    const roles = checkRoles(input.roles, STAFF_ROLES, ['input', 'roles']);
    const passwordHash = await hashPassword(input.password);
    return ctx.em.transactional(async (em) => {
      if (await em.count(StaffUser, { email })) v.fail(['input', 'email'], 'a staff user with this e-mail already exists');
      const user = em.create(StaffUser, { email, displayName, passwordHash, roles, createdAt: ctx.clock.now() });
      audit(em, ctx, 'staff.create', { type: 'StaffUser', id: user.id }, { email, roles });
      return user;
    });
  }

  /** The token is returned once; only its SHA-256 is kept. */
  async createApiToken(ctx: ServiceContext, input: CreateApiTokenInput): Promise<string> {
    const name = v.text(input.name, ['input', 'name'], { max: 100 });
    const roles = checkRoles(input.roles, SERVICE_ROLES, ['input', 'roles']);
    const token = newApiToken();
    await ctx.em.transactional(async (em) => {
      const row = em.create(ApiToken, { name, tokenHash: sha256Hex(token), roles, createdBy: ctx.viewer.email ?? ctx.viewer.id ?? 'system', createdAt: ctx.clock.now() });
      audit(em, ctx, 'api-token.create', { type: 'ApiToken', id: row.id }, { name, roles });
    });
    return token;
  }

  async issueLearnerToken(ctx: ServiceContext, learnerId: string): Promise<{ token: string; expiresAt: Date }> {
    const learner = await ctx.em.findOne(Learner, { id: v.uuid(learnerId, ['learnerId']) });
    if (!learner) throw new DomainError('NOT_FOUND', 'No learner with this id', ['learnerId']);
    const iat = Math.floor(this.clock.realNow().getTime() / 1000);
    const exp = iat + this.config.learnerTokenTtlSeconds;
    await ctx.em.transactional(async (em) => {
      audit(em, ctx, 'learner-token.issue', { type: 'Learner', id: learner.id }, { expiresAt: new Date(exp * 1000).toISOString() });
    });
    return { token: this.signer.sign({ kind: 'l', sub: learner.id, iat, exp, by: ctx.viewer.id }), expiresAt: new Date(exp * 1000) };
  }

  /**
   * The first ADMIN account (ADMIN_EMAIL / ADMIN_PASSWORD), created at start when absent. Without a
   * password, a random one is generated and returned so start-up prints it once.
   */
  async ensureFirstAdmin(em: EntityManager): Promise<{ created: boolean; email: string; generatedPassword?: string }> {
    const email = this.config.adminEmail.toLowerCase();
    if (await em.count(StaffUser, { email })) return { created: false, email };
    const generatedPassword = this.config.adminPassword ? undefined : randomBytes(15).toString('base64url');
    const passwordHash = await hashPassword(this.config.adminPassword ?? generatedPassword!);
    try {
      await em.transactional(async (tx) => {
        const user = tx.create(StaffUser, { email, displayName: 'Administrator', passwordHash, roles: ['ADMIN'], createdAt: this.clock.now() });
        audit(tx, { viewer: systemViewer('startup'), clock: this.clock, requestId: 'startup' }, 'staff.create', { type: 'StaffUser', id: user.id }, { email, roles: ['ADMIN'], bootstrap: true });
      });
    } catch (err) {
      // Several instances starting at once on one database: another one created it first.
      if (err instanceof UniqueConstraintViolationException && (await em.fork().count(StaffUser, { email }))) return { created: false, email };
      throw err;
    }
    return { created: true, email, generatedPassword };
  }
}
