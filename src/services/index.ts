import { type TokenSigner } from '../auth/tokens';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Scheduler } from '../jobs/scheduler';
import { type PayboxDirect } from '../providers/paybox/direct-client';
import { type SealedStore } from '../storage';
import { AppointmentService } from './appointment.service';
import { AttemptService } from './attempt.service';
import { AuditService } from './audit.service';
import { EquipmentService } from './equipment.service';
import { ExamContentService } from './exam-content.service';
import { FinanceService } from './finance.service';
import { CertificationSessionService } from './certification-session.service';
import { IdentityService } from './identity.service';
import { IncidentService } from './incident.service';
import { JobService } from './job.service';
import { LearnerService } from './learner.service';
import { PaymentService } from './payment.service';
import { RefundService } from './refund.service';
import { RegistrationService } from './registration.service';
import { ResultService } from './result.service';
import { TestClockService } from './test-clock.service';

/** What the use cases are built from. `objects` is the encrypted object store (evidence media, certificate PDFs). */
export interface ServiceDeps {
  signer: TokenSigner;
  config: Config;
  clock: Clock;
  scheduler: Scheduler;
  paybox: PayboxDirect;
  objects: SealedStore;
}

/** Every use case, created once per server; methods take the request context first. */
export interface Services {
  identity: IdentityService;
  sessions: CertificationSessionService;
  learners: LearnerService;
  audit: AuditService;
  jobs: JobService;
  testClock: TestClockService;
  registrations: RegistrationService;
  payments: PaymentService;
  equipment: EquipmentService;
  appointments: AppointmentService;
  incidents: IncidentService;
  refunds: RefundService;
  examContent: ExamContentService;
  attempts: AttemptService;
  results: ResultService;
  finance: FinanceService;
  /** The encrypted object store (evidence media, certificate PDFs). */
  objects: SealedStore;
}

export function createServices(deps: ServiceDeps): Services {
  const registrations = new RegistrationService();
  return {
    identity: new IdentityService(deps.signer, deps.config, deps.clock),
    sessions: new CertificationSessionService(),
    learners: new LearnerService(),
    audit: new AuditService(),
    jobs: new JobService(deps.scheduler),
    testClock: new TestClockService(),
    registrations,
    payments: new PaymentService(registrations),
    equipment: new EquipmentService(),
    appointments: new AppointmentService(),
    incidents: new IncidentService(),
    refunds: new RefundService(deps.paybox),
    examContent: new ExamContentService(),
    attempts: new AttemptService(),
    results: new ResultService(),
    finance: new FinanceService(),
    objects: deps.objects,
  };
}
