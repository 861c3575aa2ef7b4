import { ApiToken } from './api-token.entity';
import { Appointment } from './appointment.entity';
import { AuditEvent } from './audit-event.entity';
import { CertificationSession } from './certification-session.entity';
import { JobRun } from './job-run.entity';
import { Learner } from './learner.entity';
import { ProviderIncident } from './provider-incident.entity';
import { Registration } from './registration.entity';
import { StaffUser } from './staff-user.entity';

/** Every entity, listed explicitly (no folder scan: works the same from src/ and dist/). */
export const ENTITIES = [StaffUser, ApiToken, Learner, CertificationSession, AuditEvent, JobRun, Registration, Appointment, ProviderIncident];

export { ApiToken, Appointment, AuditEvent, CertificationSession, JobRun, Learner, ProviderIncident, Registration, StaffUser };
