import { type TokenSigner } from '../auth/tokens';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Scheduler } from '../jobs/scheduler';
import { AuditService } from './audit.service';
import { CertificationSessionService } from './certification-session.service';
import { IdentityService } from './identity.service';
import { JobService } from './job.service';
import { LearnerService } from './learner.service';
import { RegistrationService } from './registration.service';
import { TestClockService } from './test-clock.service';

/** Every use case, created once per server; methods take the request context first. */
export interface Services {
  identity: IdentityService;
  sessions: CertificationSessionService;
  learners: LearnerService;
  audit: AuditService;
  jobs: JobService;
  testClock: TestClockService;
  registrations: RegistrationService;
}

export function createServices(deps: { signer: TokenSigner; config: Config; clock: Clock; scheduler: Scheduler }): Services {
  return {
    identity: new IdentityService(deps.signer, deps.config, deps.clock),
    sessions: new CertificationSessionService(),
    learners: new LearnerService(),
    audit: new AuditService(),
    jobs: new JobService(deps.scheduler),
    testClock: new TestClockService(),
    registrations: new RegistrationService(),
  };
}
