import { type TokenSigner } from '../auth/tokens';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Scheduler } from '../jobs/scheduler';
import { type PayboxDirect } from '../providers/paybox/direct-client';
import { type ProctorUClient } from '../providers/proctoru/client';
import { type SealedStore } from '../storage';
import { AppointmentService } from './appointment.service';
import { AttemptService } from './attempt.service';
import { AuditService } from './audit.service';
import { CertificateService } from './certificate.service';
import { EquipmentService } from './equipment.service';
import { EvidenceService } from './evidence.service';
import { ExamContentService } from './exam-content.service';
import { FinanceService } from './finance.service';
import { FraudCaseService } from './fraud-case.service';
import { CertificationSessionService } from './certification-session.service';
import { IdentityService } from './identity.service';
import { IncidentService } from './incident.service';
import { JobService } from './job.service';
import { LearnerService } from './learner.service';
import { LegalHoldService } from './legal-hold.service';
import { LearnerDataService } from './learner-data.service';
import { PaymentService } from './payment.service';
import { ProctorUEventsService } from './proctoru-events.service';
import { ProctorUSyncService } from './proctoru-sync.service';
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
  /** ProctorU (live client, or the same client on the simulator). */
  proctoru: ProctorUClient;
  objects: SealedStore;
}

/** Every use case, created once per server; methods take the request context first. */
export interface Services {
  identity: IdentityService;
  sessions: CertificationSessionService;
  learners: LearnerService;
  /** GDPR requests: export and erasure of a learner's data. */
  learnerData: LearnerDataService;
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
  /** ProctorU: the reservation outbox worker, and the events ProctorU sends (issue 12). */
  proctoru: ProctorUSyncService;
  proctoruEvents: ProctorUEventsService;
  /** Fraud review (R-EVI-3, R-EVI-5) and legal holds (R-EVI-4). */
  fraudCases: FraudCaseService;
  legalHolds: LegalHoldService;
  certificates: CertificateService;
  /** The encrypted object store (evidence media, certificate PDFs). */
  objects: SealedStore;
  evidence: EvidenceService;
}

export function createServices(deps: ServiceDeps): Services {
  const registrations = new RegistrationService();
  return {
    identity: new IdentityService(deps.signer, deps.config, deps.clock),
    sessions: new CertificationSessionService(),
    learners: new LearnerService(),
    learnerData: new LearnerDataService(),
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
    proctoru: new ProctorUSyncService(deps.proctoru, deps.clock),
    proctoruEvents: new ProctorUEventsService(new IncidentService()),
    fraudCases: new FraudCaseService(),
    legalHolds: new LegalHoldService(),
    certificates: new CertificateService(deps.signer, deps.config, deps.objects),
    objects: deps.objects,
    evidence: new EvidenceService(deps.objects, deps.signer, deps.config),
  };
}
