import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema as buildTypeGraphQLSchema, type NonEmptyArray } from 'type-graphql';
import { AppointmentResolver, RegistrationSchedulingResolver } from '../resolvers/appointment.resolver';
import { AttemptResolver, RegistrationExamResolver, ResultResolver } from '../resolvers/attempt.resolver';
import { authChecker } from '../resolvers/auth-checker';
import { CertificateResolver, RegistrationCertificateResolver } from '../resolvers/certificate.resolver';
import { CertificationSessionResolver } from '../resolvers/certification-session.resolver';
import { EquipmentCheckResolver, LearnerEquipmentChecksResolver } from '../resolvers/equipment-check.resolver';
import { AttemptEvidenceResolver, EvidenceResolver } from '../resolvers/evidence.resolver';
import { ExamContentResolver } from '../resolvers/exam.resolver';
import { FinanceResolver } from '../resolvers/finance.resolver';
import { FraudCaseResolver, RegistrationFraudCasesResolver } from '../resolvers/fraud-case.resolver';
import { IdentityResolver } from '../resolvers/identity.resolver';
import { IncidentResolver } from '../resolvers/incident.resolver';
import { LearnerResolver, ProctoringProfileResolver } from '../resolvers/learner.resolver';
import { LearnerDataResolver } from '../resolvers/learner-data.resolver';
import { OperationsResolver, TestClockResolver } from '../resolvers/operations.resolver';
import { PaymentResolver, RegistrationPaymentResolver } from '../resolvers/payment.resolver';
import { ProctorUResolver } from '../resolvers/proctoru.resolver';
import { RefundResolver, RegistrationRefundsResolver } from '../resolvers/refund.resolver';
import { LearnerRegistrationsResolver, RegistrationResolver, SessionRegistrationsResolver } from '../resolvers/registration.resolver';
import { DateTimeScalar } from './scalars';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const RESOLVERS: NonEmptyArray<Function> = [
  IdentityResolver,
  CertificationSessionResolver,
  LearnerResolver,
  ProctoringProfileResolver,
  LearnerDataResolver,
  OperationsResolver,
  RegistrationResolver,
  SessionRegistrationsResolver,
  LearnerRegistrationsResolver,
  EquipmentCheckResolver,
  LearnerEquipmentChecksResolver,
  PaymentResolver,
  RegistrationPaymentResolver,
  AppointmentResolver,
  RegistrationSchedulingResolver,
  IncidentResolver,
  RefundResolver,
  RegistrationRefundsResolver,
  ExamContentResolver,
  AttemptResolver,
  RegistrationExamResolver,
  ResultResolver,
  AttemptEvidenceResolver,
  EvidenceResolver,
  FinanceResolver,
  ProctorUResolver,
  FraudCaseResolver,
  RegistrationFraudCasesResolver,
  CertificateResolver,
  RegistrationCertificateResolver,
];

/** The executable schema. `setTestClock` exists only with the test clock on (contract/HTTP.md). */
export async function buildSchema(opts: { testClock: boolean }): Promise<GraphQLSchema> {
  return buildTypeGraphQLSchema({
    resolvers: opts.testClock ? [...RESOLVERS, TestClockResolver] : RESOLVERS,
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    emitSchemaFile: false,
  });
}

/** The SDL committed as src/schema/schema.graphql: the full schema (test clock included), sorted. */
export async function printEmittedSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildSchema({ testClock: true }))) + '\n';
}
