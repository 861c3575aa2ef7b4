import { describe, expect, it } from 'vitest';
import { type RefundFacts, refundEligibility, refundRefusal } from '../../src/domain/refund-eligibility';
import { canTransition, isFinal, OPEN_REFUND_STATUSES, REFUND_STATUSES, REFUND_TRANSITIONS } from '../../src/domain/refund-state';

const PARIS = 'Europe/Paris';
// Paid Wednesday 15 February 2017 at 11:00 Paris: the period ends 1 March 2017 23:59:59.999 Paris.
const PAID_AT = new Date('2017-02-15T10:00:00Z');
const DEADLINE = '2017-03-01T22:59:59.999Z';
const INSIDE = new Date('2017-02-20T10:00:00Z');
const PAST = new Date('2017-03-02T10:00:00Z');

const facts = (over: Partial<RefundFacts> = {}): RefundFacts => ({
  paid: true,
  paidAt: PAID_AT,
  refundedCents: 0,
  refundStates: [],
  appointmentEverBooked: false,
  confirmedProviderIncident: false,
  certificateIssued: false,
  now: INSIDE,
  zone: PARIS,
  ...over,
});

describe('refundEligibility', () => {
  it('R-REF-1: paid, inside the period, no appointment: WITHDRAWAL, with the deadline', () => {
    expect(refundEligibility(facts())).toEqual({ eligible: true, reason: 'WITHDRAWAL', withdrawalDeadline: new Date(DEADLINE), blockers: [] });
  });

  it('NOT_PAID: the only blocker, no deadline', () => {
    expect(refundEligibility(facts({ paid: false, paidAt: null }))).toEqual({ eligible: false, reason: null, withdrawalDeadline: null, blockers: ['NOT_PAID'] });
  });

  it('R-REF-1: the last millisecond of the period is inside, the next is over', () => {
    expect(refundEligibility(facts({ now: new Date(DEADLINE) })).eligible).toBe(true);
    const after = refundEligibility(facts({ now: new Date(new Date(DEADLINE).getTime() + 1) }));
    expect(after).toMatchObject({ eligible: false, reason: null, blockers: ['WITHDRAWAL_PERIOD_OVER', 'NO_CONFIRMED_PROVIDER_INCIDENT'] });
  });

  it('R-REF-2: an appointment ever booked (cancelled ones count) blocks a withdrawal inside the period', () => {
    expect(refundEligibility(facts({ appointmentEverBooked: true }))).toMatchObject({
      eligible: false,
      blockers: ['APPOINTMENT_ALREADY_BOOKED', 'NO_CONFIRMED_PROVIDER_INCIDENT'],
    });
  });

  it('R-REF-3: past the period with a confirmed provider incident: PROVIDER_TECHNICAL_PROBLEM', () => {
    expect(refundEligibility(facts({ now: PAST, appointmentEverBooked: true, confirmedProviderIncident: true }))).toEqual({
      eligible: true,
      reason: 'PROVIDER_TECHNICAL_PROBLEM',
      withdrawalDeadline: new Date(DEADLINE),
      blockers: [],
    });
  });

  it('R-REF-3 (design): a confirmed incident inside the period also opens a technical refund', () => {
    expect(refundEligibility(facts({ appointmentEverBooked: true, confirmedProviderIncident: true })).reason).toBe('PROVIDER_TECHNICAL_PROBLEM');
  });

  it('R-REF-4: no equipment check, or an equipment problem, is no confirmed provider incident: past the period, no refund', () => {
    // The facts have no "equipment" input at all: only a confirmed *provider* incident opens R-REF-3.
    const e = refundEligibility(facts({ now: PAST, appointmentEverBooked: true, confirmedProviderIncident: false }));
    expect(e).toMatchObject({ eligible: false, reason: null });
    expect(e.blockers).toContain('NO_CONFIRMED_PROVIDER_INCIDENT');
    expect(refundRefusal(facts({ now: PAST, appointmentEverBooked: true }), 'PROVIDER_TECHNICAL_PROBLEM')).toBe('NO_CONFIRMED_PROVIDER_INCIDENT');
  });

  it('R-REF-3b: a certificate issued blocks every refund, even with a confirmed incident', () => {
    const e = refundEligibility(facts({ certificateIssued: true, confirmedProviderIncident: true, appointmentEverBooked: true }));
    expect(e).toEqual({ eligible: false, reason: null, withdrawalDeadline: new Date(DEADLINE), blockers: ['CERTIFICATE_ALREADY_ISSUED'] });
    expect(refundRefusal(facts({ certificateIssued: true }), 'WITHDRAWAL')).toBe('CERTIFICATE_ALREADY_ISSUED');
  });

  it('R-REF-7: already refunded (a SUCCEEDED or SETTLED_MANUALLY request, or refunded cents)', () => {
    expect(refundEligibility(facts({ refundStates: ['SUCCEEDED'] })).blockers).toEqual(['ALREADY_REFUNDED']);
    expect(refundEligibility(facts({ refundStates: ['REJECTED', 'SETTLED_MANUALLY'] })).blockers).toEqual(['ALREADY_REFUNDED']);
    expect(refundEligibility(facts({ refundedCents: 6000 })).blockers).toEqual(['ALREADY_REFUNDED']);
  });

  it('REFUND_IN_PROGRESS: an open request (SUBMITTED, APPROVED, PROCESSING, FAILED); a REJECTED one does not count', () => {
    for (const s of ['SUBMITTED', 'APPROVED', 'PROCESSING', 'FAILED'] as const) {
      expect(refundEligibility(facts({ refundStates: [s] })).blockers).toEqual(['REFUND_IN_PROGRESS']);
    }
    expect(refundEligibility(facts({ refundStates: ['REJECTED'] })).eligible).toBe(true);
  });

  it('blockers are listed in the contract order', () => {
    const e = refundEligibility(facts({ now: PAST, appointmentEverBooked: true, certificateIssued: true, refundStates: ['FAILED'] }));
    expect(e.blockers).toEqual(['WITHDRAWAL_PERIOD_OVER', 'APPOINTMENT_ALREADY_BOOKED', 'NO_CONFIRMED_PROVIDER_INCIDENT', 'CERTIFICATE_ALREADY_ISSUED', 'REFUND_IN_PROGRESS']);
  });
});

describe('refundRefusal (the requested reason)', () => {
  it('R-REF-1: WITHDRAWAL past the period → WITHDRAWAL_PERIOD_OVER', () => {
    expect(refundRefusal(facts({ now: PAST }), 'WITHDRAWAL')).toBe('WITHDRAWAL_PERIOD_OVER');
  });
  it('R-REF-2: WITHDRAWAL with an appointment → APPOINTMENT_ALREADY_BOOKED', () => {
    expect(refundRefusal(facts({ appointmentEverBooked: true }), 'WITHDRAWAL')).toBe('APPOINTMENT_ALREADY_BOOKED');
  });
  it('R-REF-3: PROVIDER_TECHNICAL_PROBLEM without a confirmed incident → NO_CONFIRMED_PROVIDER_INCIDENT, even inside the period', () => {
    expect(refundRefusal(facts(), 'PROVIDER_TECHNICAL_PROBLEM')).toBe('NO_CONFIRMED_PROVIDER_INCIDENT');
  });
  it('R-REF-3: WITHDRAWAL is still refused past the period when an incident exists (the reason must be PROVIDER_TECHNICAL_PROBLEM)', () => {
    expect(refundRefusal(facts({ now: PAST, appointmentEverBooked: true, confirmedProviderIncident: true }), 'WITHDRAWAL')).toBe('WITHDRAWAL_PERIOD_OVER');
    expect(refundRefusal(facts({ now: PAST, appointmentEverBooked: true, confirmedProviderIncident: true }), 'PROVIDER_TECHNICAL_PROBLEM')).toBeNull();
  });
  it('R-REF-6 (design): at approval the period is judged at the request instant', () => {
    expect(refundRefusal(facts({ now: PAST }), 'WITHDRAWAL', INSIDE)).toBeNull();
    expect(refundRefusal(facts({ now: PAST, appointmentEverBooked: true }), 'WITHDRAWAL', INSIDE)).toBe('APPOINTMENT_ALREADY_BOOKED');
  });
  it('general refusals come first: NOT_PAID, ALREADY_REFUNDED, REFUND_IN_PROGRESS, CERTIFICATE_ALREADY_ISSUED', () => {
    expect(refundRefusal(facts({ paid: false, now: PAST }), 'WITHDRAWAL')).toBe('NOT_PAID');
    expect(refundRefusal(facts({ refundStates: ['SUCCEEDED', 'SUBMITTED'], now: PAST }), 'WITHDRAWAL')).toBe('ALREADY_REFUNDED');
    expect(refundRefusal(facts({ refundStates: ['APPROVED'], certificateIssued: true }), 'WITHDRAWAL')).toBe('REFUND_IN_PROGRESS');
  });
});

describe('R-REF-6 transition table', () => {
  it('R-REF-6: exactly the transitions of the specification', () => {
    const pairs = REFUND_STATUSES.flatMap((from) => REFUND_TRANSITIONS[from].map((to) => `${from}->${to}`)).sort();
    expect(pairs).toEqual(
      [
        'SUBMITTED->APPROVED',
        'SUBMITTED->REJECTED',
        'APPROVED->PROCESSING',
        'APPROVED->SETTLED_MANUALLY',
        'PROCESSING->SUCCEEDED',
        'PROCESSING->FAILED',
        'FAILED->PROCESSING',
        'FAILED->SETTLED_MANUALLY',
      ].sort(),
    );
  });
  it('R-REF-6: final states have no way out; the open ones are what needsAction lists', () => {
    expect(REFUND_STATUSES.filter(isFinal).sort()).toEqual(['REJECTED', 'SETTLED_MANUALLY', 'SUCCEEDED']);
    expect([...OPEN_REFUND_STATUSES].sort()).toEqual(['APPROVED', 'FAILED', 'PROCESSING', 'SUBMITTED']);
    expect(canTransition('SUBMITTED', 'PROCESSING')).toBe(false);
    expect(canTransition('SUCCEEDED', 'PROCESSING')).toBe(false);
    expect(canTransition('FAILED', 'PROCESSING')).toBe(true);
  });
});
