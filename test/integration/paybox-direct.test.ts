import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePayboxAnswer, PayboxDirectClient, PayboxUnknownOutcomeError } from '../../src/providers/paybox/direct-client';
import { backupUrlOf, createPayboxDirect } from '../../src/providers/paybox/direct-provider';
import { PayboxSimulator } from '../../src/providers/paybox/simulator';

/** The live Paybox Direct client against the simulator, over real HTTP on loopback. */

const main = new PayboxSimulator();
const backup = new PayboxSimulator();
const creds = { site: '1999888', rang: '32', key: '1999888I' };
const at = new Date('2017-03-20T09:05:07Z'); // 10:05:07 in Paris
const call = (over: Partial<{ numQuestion: string; numTrans: string }> = {}) => ({
  numQuestion: '42',
  amountCents: 6000,
  reference: 'refund-1',
  numAppel: '0012345678',
  numTrans: '0001234567',
  at,
  ...over,
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

beforeAll(async () => {
  await main.start();
  await backup.start();
});
afterAll(async () => {
  await main.stop();
  await backup.stop();
});
beforeEach(() => {
  main.reset();
  backup.reset();
});

describe('Paybox Direct client ↔ simulator', () => {
  it('parses key=value answers', () => {
    expect(parsePayboxAnswer('NUMTRANS=0001&NUMAPPEL=0002&NUMQUESTION=0000000042&SITE=1999888&RANG=32&AUTORISATION=&CODEREPONSE=00000&COMMENTAIRE=Demande+trait%C3%A9e')).toMatchObject({
      CODEREPONSE: '00000',
      NUMTRANS: '0001',
      COMMENTAIRE: 'Demande traitée',
      AUTORISATION: '',
    });
  });

  it('R-PAY: a refund (TYPE=00014) sends the PPPS fields and gets 00000 with a fresh NUMTRANS', async () => {
    const client = new PayboxDirectClient({ urls: [main.url], ...creds });
    const a = await client.refund(call());
    expect(a.codeReponse).toBe('00000');
    expect(a.numTrans).toMatch(/^\d{10}$/);
    expect(main.count('00014')).toBe(1);
    expect(main.calls[0].fields).toMatchObject({
      VERSION: '00104',
      TYPE: '00014',
      SITE: '1999888',
      RANG: '32',
      CLE: '1999888I',
      NUMQUESTION: '0000000042',
      MONTANT: '0000006000',
      DEVISE: '978',
      REFERENCE: 'refund-1',
      NUMAPPEL: '0012345678',
      NUMTRANS: '0001234567',
      DATEQ: '20032017100507',
      ACTIVITE: '024',
    });
    expect(main.refunds.size).toBe(1);
  });

  it('HTTP.md simulator: an original NUMTRANS starting with 9999 answers 00001 and refunds nothing', async () => {
    const client = new PayboxDirectClient({ urls: [main.url], ...creds });
    const a = await client.refund(call({ numTrans: '9999000001' }));
    expect(a.codeReponse).toBe('00001');
    expect(main.refunds.size).toBe(0);
  });

  it('R-REF-7: the same NUMQUESTION twice refunds once and answers the same NUMTRANS', async () => {
    const client = new PayboxDirectClient({ urls: [main.url], ...creds });
    const a = await client.refund(call({ numQuestion: '7' }));
    const b = await client.refund(call({ numQuestion: '7' }));
    expect(b.numTrans).toBe(a.numTrans);
    expect(main.refunds.size).toBe(1);
  });

  it('consultation (TYPE=00017) by NUMQUESTION: found → 00000 + NUMTRANS, unknown → not found', async () => {
    const client = new PayboxDirectClient({ urls: [main.url], ...creds });
    const made = await client.refund(call({ numQuestion: '8' }));
    const found = await client.inquire({ numQuestion: '8', reference: 'refund-1', numAppel: '0012345678', numTrans: '0001234567', at });
    expect(found).toMatchObject({ codeReponse: '00000', numTrans: made.numTrans });
    const missing = await client.inquire({ numQuestion: '9', reference: 'refund-1', numAppel: '0012345678', numTrans: '0001234567', at });
    expect(missing.codeReponse).not.toBe('00000');
    expect(main.count('00017')).toBe(2);
  });

  it('backup host on CODEREPONSE 00001 / 00097 / 00098 from the main host', async () => {
    const client = new PayboxDirectClient({ urls: [main.url, backup.url], ...creds });
    for (const code of ['00001', '00097', '00098']) {
      main.failNext(code);
      const a = await client.refund(call({ numQuestion: String(100 + Number(code.slice(-2))) }));
      expect(a.codeReponse).toBe('00000');
    }
    expect(main.refunds.size).toBe(0);
    expect(backup.refunds.size).toBe(3);
  });

  it('backup host when the main host refuses the connection', async () => {
    const client = new PayboxDirectClient({ urls: [`http://127.0.0.1:${await closedPort()}/PPPS.php`, backup.url], ...creds });
    expect((await client.refund(call())).codeReponse).toBe('00000');
    expect(backup.refunds.size).toBe(1);
  });

  it('other refusals are answers, not retried elsewhere', async () => {
    const client = new PayboxDirectClient({ urls: [main.url, backup.url], ...creds });
    main.failNext('00004');
    expect((await client.refund(call())).codeReponse).toBe('00004');
    expect(backup.calls).toHaveLength(0);
  });

  it('R-REF-7: a timeout after sending is an unknown outcome, never resent to the backup host', async () => {
    const client = new PayboxDirectClient({ urls: [main.url, backup.url], ...creds, timeoutMs: 100 });
    main.delayMs = 400;
    await expect(client.refund(call())).rejects.toBeInstanceOf(PayboxUnknownOutcomeError);
    expect(backup.calls).toHaveLength(0);
  });

  it('R-REF-7: an answer lost on the way back is an unknown outcome; consultation then finds the refund', async () => {
    const client = new PayboxDirectClient({ urls: [main.url], ...creds });
    main.dropNextAnswer();
    await expect(client.refund(call({ numQuestion: '55' }))).rejects.toBeInstanceOf(PayboxUnknownOutcomeError);
    expect(main.refunds.size).toBe(1);
    const found = await client.inquire({ numQuestion: '55', reference: 'refund-1', numAppel: '0012345678', numTrans: '0001234567', at });
    expect(found.codeReponse).toBe('00000');
  });

  it('PAYBOX_MODE: simulator starts one on loopback (stopped on close); live uses the configured host and its backup', async () => {
    const sim = await createPayboxDirect({ mode: 'simulator' });
    expect(sim.simulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/PPPS\.php$/);
    expect((await sim.direct.refund(call())).codeReponse).toBe('00000');
    await sim.close();
    const live = await createPayboxDirect({ mode: 'live', url: 'https://ppps.paybox.com/PPPS.php', site: '1999888', rang: '32', key: 'secret' });
    expect(live.simulator).toBeUndefined();
    await live.close();
    expect(backupUrlOf('https://ppps.paybox.com/PPPS.php')).toBe('https://ppps1.paybox.com/PPPS.php');
    expect(backupUrlOf('https://preprod-ppps.paybox.com/PPPS.php')).toBeUndefined();
  });
});
