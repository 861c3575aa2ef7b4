import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

describe('smoke', () => {
  it('serves /readyz and the viewer', async () => {
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    const r = await s.gql('{ viewer { kind roles } }', {}, await s.tokenFor('SUPPORT'));
    expect(r.data).toEqual({ viewer: { kind: 'STAFF', roles: ['SUPPORT'] } });
  });
});
