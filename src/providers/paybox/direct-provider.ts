import { type Config } from '../../config';
import { type PayboxDirect, PayboxDirectClient } from './direct-client';
import { PayboxSimulator } from './simulator';

/** Paybox Direct as the server uses it: the live client, or the same client talking to the in-process simulator. */
export interface PayboxDirectProvider {
  direct: PayboxDirect;
  /** Set in simulator mode (tests reach its hooks through `app.paybox.simulator`). */
  simulator?: PayboxSimulator;
  close(): Promise<void>;
}

/** Paybox's documented backup host of the production host; other hosts have none. */
export function backupUrlOf(url: string): string | undefined {
  const u = new URL(url);
  if (u.host !== 'ppps.paybox.com') return undefined;
  u.host = 'ppps1.paybox.com';
  return u.toString();
}

/** PAYBOX_MODE: `simulator` (default) starts the simulator on a loopback port; `live` uses PAYBOX_URL/SITE/RANG/KEY. */
export async function createPayboxDirect(paybox: Config['paybox']): Promise<PayboxDirectProvider> {
  if (paybox.mode === 'live') {
    const backup = backupUrlOf(paybox.url!);
    const direct = new PayboxDirectClient({ urls: backup ? [paybox.url!, backup] : [paybox.url!], site: paybox.site!, rang: paybox.rang!, key: paybox.key! });
    return { direct, close: async () => undefined };
  }
  const simulator = new PayboxSimulator();
  const url = await simulator.start();
  // The simulator's credentials are the Paybox test account's (public documentation values).
  const direct = new PayboxDirectClient({ urls: [url], site: '1999888', rang: '32', key: '1999888I', timeoutMs: 10_000 });
  return { direct, simulator, close: () => simulator.stop() };
}
