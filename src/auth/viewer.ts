import { type Role } from '../domain/roles';

/** SYSTEM is internal (start-up, jobs): never a GraphQL viewer. */
export type ViewerKind = 'STAFF' | 'LEARNER' | 'SERVICE' | 'ANONYMOUS' | 'SYSTEM';

/** Who is calling, resolved once per request from the Authorization header. */
export interface Viewer {
  kind: ViewerKind;
  /** Staff user id, learner id or API token id. */
  id?: string;
  displayName?: string;
  /** Staff e-mail, for the actor string. */
  email?: string;
  roles: Role[];
  /** Set for learner tokens: the only learner this viewer may see. */
  learnerId?: string;
  /** A token was presented but refused (expired, tampered, revoked). */
  tokenProblem?: 'malformed' | 'bad-signature' | 'expired' | 'unknown' | 'revoked' | 'disabled';
}

export const ANONYMOUS: Viewer = { kind: 'ANONYMOUS', roles: [] };

/** The server acting by itself (start-up, a scheduled job): `system:<what>` in the audit log. */
export function systemViewer(what: string): Viewer {
  return { kind: 'SYSTEM', displayName: what, roles: ['ADMIN'] };
}

/** The actor string written in audit events and histories: `staff:<email>`, `learner:<id>`, `service:<name>`. */
export function actorOf(viewer: Viewer): string {
  switch (viewer.kind) {
    case 'STAFF':
      return `staff:${viewer.email ?? viewer.id}`;
    case 'LEARNER':
      return `learner:${viewer.learnerId}`;
    case 'SERVICE':
      return `service:${viewer.displayName ?? viewer.id}`;
    case 'SYSTEM':
      return `system:${viewer.displayName ?? 'server'}`;
    default:
      return 'anonymous';
  }
}

export function hasRole(viewer: Viewer, ...roles: Role[]): boolean {
  return viewer.roles.includes('ADMIN') || roles.some((r) => viewer.roles.includes(r));
}
