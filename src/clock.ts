/**
 * The only source of time. `now()` is the domain clock every rule reads (SPEC.md); `realNow()` is
 * wall time, used for security lifetimes (token expiry, signed links, rate limits), which the test
 * clock never moves (contract/HTTP.md, "Test clock").
 */
export interface Clock {
  now(): Date;
  realNow(): Date;
  /** Whether `set` may be used (TEST_CLOCK=1). */
  readonly settable: boolean;
  set(instant: Date): void;
}

export class SystemClock implements Clock {
  readonly settable = false;
  now(): Date {
    return new Date();
  }
  realNow(): Date {
    return new Date();
  }
  set(): void {
    throw new Error('The system clock cannot be set (start with TEST_CLOCK=1)');
  }
}

/** Behaves as the system clock until set; once set, the domain clock stays frozen at that instant. */
export class TestClock implements Clock {
  readonly settable = true;
  private frozen: Date | undefined;
  constructor(initial?: Date) {
    this.frozen = initial ? new Date(initial) : undefined;
  }
  now(): Date {
    return this.frozen ? new Date(this.frozen) : new Date();
  }
  realNow(): Date {
    return new Date();
  }
  set(instant: Date): void {
    if (Number.isNaN(instant.getTime())) throw new Error('Invalid instant');
    this.frozen = new Date(instant);
  }
}

export function createClock(testClock: boolean): Clock {
  return testClock ? new TestClock() : new SystemClock();
}
