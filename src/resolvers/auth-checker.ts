import { GraphQLError } from 'graphql';
import { type AuthChecker } from 'type-graphql';
import { hasRole } from '../auth/viewer';
import { type Context } from '../context';
import { type Role } from '../domain/roles';

const TOKEN_MESSAGES: Record<string, string> = {
  expired: 'Your token has expired: log in again',
  'bad-signature': 'Your token is not valid',
  malformed: 'Your token is not valid',
  unknown: 'Your token is not valid',
  revoked: 'Your token has been revoked',
  disabled: 'Your account is disabled',
};

/**
 * `@Authorized(...roles)`: no valid token → UNAUTHENTICATED; a role that may not → FORBIDDEN; both as
 * top-level GraphQL errors (contract conventions). ADMIN may do everything (SPEC "Actors and roles").
 * Ownership ("the learner themself") is checked by the service, which knows the object.
 */
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const viewer = context.viewer;
  if (viewer.kind === 'ANONYMOUS' || viewer.kind === 'SYSTEM') {
    const message = viewer.tokenProblem ? TOKEN_MESSAGES[viewer.tokenProblem] : 'Authentication required: send Authorization: Bearer <token>';
    throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
  }
  if (roles.length === 0 || hasRole(viewer, ...roles)) return true;
  throw new GraphQLError('Your roles do not allow this operation', { extensions: { code: 'FORBIDDEN' } });
};
