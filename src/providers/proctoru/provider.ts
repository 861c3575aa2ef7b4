import { randomBytes } from 'node:crypto';
import { type Config } from '../../config';
import { ProctorUClient } from './client';
import { ProctorUSimulator } from './simulator';

/** ProctorU as the server uses it: the live client, or the same client talking to the in-process simulator. */
export interface ProctorUProvider {
  client: ProctorUClient;
  /** Set in simulator mode (tests reach its hooks through `app.proctoru.simulator`). */
  simulator?: ProctorUSimulator;
  close(): Promise<void>;
}

/** PROCTORU_MODE: `simulator` (default) starts the simulator on a loopback port; `live` uses PROCTORU_URL and PROCTORU_TOKEN. */
export async function createProctorU(proctoru: Config['proctoru']): Promise<ProctorUProvider> {
  if (proctoru.mode === 'live') {
    return { client: new ProctorUClient({ url: proctoru.url!, token: proctoru.token! }), close: async () => undefined };
  }
  const token = randomBytes(16).toString('hex');
  const simulator = new ProctorUSimulator(token, proctoru.webhookSecret);
  const url = await simulator.start();
  const client = new ProctorUClient({ url, token, timeoutMs: 5_000, retries: 2, backoffMs: 50 });
  return { client, simulator, close: () => simulator.stop() };
}
