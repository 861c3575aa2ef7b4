import { readFileSync } from 'node:fs';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examinedLearner, passedLearner } from '../helpers/certificate-factories';
import { examParts, examSession } from '../helpers/exam-factories';
import { createSession as refundSession, paidRegistration, requestInput, REQUEST_REFUND } from '../helpers/refund-factories';
import { book, createSession as schedulingSession, registration, registrationSchedule } from '../helpers/scheduling-factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, STAFF_PASSWORD, startTestServer, type TestServer } from '../helpers/server';
import { checkScreen, ensureAdminBuilt, expectAccessible, go, launch, login, menu, openUi, shot, type Ui } from './helpers';

/**
 * The admin web app end to end: headless Chromium against the real server and database, each team's
 * main task done through the screens, every page under a strict CSP, axe-checked and 360 px wide.
 */
/** A 1×1 PNG (an evidence photo). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let s: TestServer;
let browser: Browser;
let ui: Ui;

beforeAll(async () => {
  ensureAdminBuilt();
  s = await startTestServer();
  for (const role of ['SUPPORT', 'PAYMENTS', 'CERTIFICATION'] as const) await s.tokenFor(role);
  browser = await launch();
  ui = await openUi(browser, s.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('admin web app (issue 9)', () => {
  it('serves the built app at /admin/ (client routes fall back to the page, hashed assets cached long) and GraphiQL for browsers at GET /graphql without breaking Apollo GET', async () => {
    const page = await fetch(`${s.url}/admin/refunds/42`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const asset = html.match(/\/admin\/assets\/[\w.-]+\.js/)![0];
    const js = await fetch(`${s.url}${asset}`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${s.url}/admin/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${s.url}/admin/../package.json`)).status).not.toBe(200);

    const graphiql = await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await graphiql.text()).toContain('id="graphiql"');
    const apolloGet = await fetch(`${s.url}/graphql?query=${encodeURIComponent('{ serverTime }')}`, { headers: { accept: 'text/html, application/json', 'apollo-require-preflight': '1' } });
    expect(((await apolloGet.json()) as { data: { serverTime: string } }).data.serverTime).toMatch(/^\d{4}-/);
    const post = await s.gql<{ serverTime: string }>('{ serverTime }');
    expect(post.data?.serverTime).toBeTruthy();
  });

  it('log in per role: a wrong password is shown; the menu shows only what the roles allow', async () => {
    const { page } = ui;
    await page.goto('/admin/');
    await page.evaluate('localStorage.clear()');
    await page.goto('/admin/');
    await page.getByLabel('E-mail').fill('support@test.local');
    await page.getByLabel('Mot de passe').fill('wrong-password');
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.getByRole('alert').waitFor();
    await shot(page, 'login');
    await expectAccessible(page, 'login');

    await login(page, 'support@test.local', STAFF_PASSWORD);
    expect(await menu(page)).toEqual(['Apprenant 360', 'Reprogrammer après incident', 'GraphiQL']);
    await login(page, 'payments@test.local', STAFF_PASSWORD);
    expect(await menu(page)).toEqual(['Remboursements', 'Finance', 'GraphiQL']);
    await login(page, 'certification@test.local', STAFF_PASSWORD);
    expect(await menu(page)).toEqual(expect.arrayContaining(['Sessions', 'Tâches']));
    expect(await menu(page)).not.toContain('Remboursements');
    // English on demand; French by default.
    await page.getByText('EN', { exact: true }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByText('FR', { exact: true }).click();
  }, 60_000);

  it('SUPPORT: learner 360 by e-mail, then reschedule after a fault: record the incident (bad time shown at the field), confirm it, book a priority slot', async () => {
    await s.setClock('2017-02-20T12:00:00Z');
    const sid = await schedulingSession(s);
    const r = await registration(s, sid);
    const appointment = (await book(s, r.registrationId, '2017-03-06T14:00:00Z', r.token)).appointment!;
    const learner = (await s.gql<{ learner: { email: string; familyName: string } }>('query($id: ID!) { learner(id: $id) { email familyName } }', { id: r.learnerId }, await s.tokenFor('SUPPORT'))).data!.learner;
    await s.setClock('2017-03-06T14:20:00Z');

    const { page } = ui;
    await login(page, 'support@test.local', STAFF_PASSWORD);
    await go(page, 'Apprenant 360');
    await page.getByLabel('Rechercher').fill(learner.email);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('link', { name: new RegExp(learner.familyName) }).click();
    await page.getByRole('heading', { name: /cartographie/ }).waitFor();
    // Dates in Europe/Paris (the browser is in New York): 14:00Z is 15:00 Paris time.
    await page.getByText('06/03/2017 15:00 CET (Paris)').first().waitFor();
    await checkScreen(page, 'learner-360');

    await page.getByRole('link', { name: 'Reprogrammer après incident' }).last().click();
    await page.getByRole('heading', { name: 'Déclarer l’incident' }).waitFor();
    await page.getByLabel(/Survenu le/).fill('2017-03-06T18:00:00Z');
    await page.getByLabel('Description').fill('The webcam stream stopped');
    await page.getByRole('button', { name: 'Déclarer l’incident' }).click();
    const fieldError = page.locator('.mantine-TextInput-error');
    await fieldError.waitFor();
    await page.getByLabel(/Survenu le/).fill('2017-03-06T14:10:00Z');
    await page.getByRole('button', { name: 'Déclarer l’incident' }).click();
    await page.getByRole('button', { name: 'Confirmer l’incident' }).waitFor();
    await page.getByLabel('Référence ProctorU').last().fill('PU-2017-77');
    await page.getByRole('button', { name: 'Confirmer l’incident' }).click();
    await page.getByRole('heading', { name: 'Choisir un créneau prioritaire' }).waitFor();
    const slot = page.getByRole('button', { name: /^Réserver / }).first();
    await slot.waitFor();
    await checkScreen(page, 'reschedule');
    await slot.click();
    await page.getByRole('status').filter({ hasText: 'Réservé' }).waitFor();

    const schedule = await registrationSchedule(s, r.registrationId);
    const priority = schedule.appointments.filter((a) => a.priority && a.status === 'BOOKED');
    expect(priority).toHaveLength(1);
    expect(schedule.appointments.find((a) => a.id === appointment.id)?.status).toBe('PROVIDER_FAULT');
  }, 90_000);

  it('SUPPORT files a refund request from learner 360; PAYMENTS: the refund queue; eligibility shown; approve with a comment and execute; the four-eyes refusal is shown clearly', async () => {
    const sid = await refundSession(s);
    const p = await paidRegistration(s, sid, { paidAt: '2017-02-10T10:00:00Z' });
    const own = await paidRegistration(s, sid, { paidAt: '2017-02-10T11:00:00Z' });
    await s.setClock('2017-02-12T09:00:00Z');
    const ownRequest = await s.gql<{ requestRefund: { refundRequest: { id: string } } }>(REQUEST_REFUND, { i: requestInput(own) }, await s.tokenFor('PAYMENTS'));
    const ownId = ownRequest.data!.requestRefund.refundRequest.id;

    // SUPPORT files the learner's request from the learner 360 page (a wrong ticket is shown at its field).
    const { page } = ui;
    await login(page, 'support@test.local', STAFF_PASSWORD);
    await go(page, 'Apprenant 360');
    await page.getByLabel('Rechercher').fill(p.email);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('link', { name: new RegExp(p.familyName) }).click();
    await page.getByRole('button', { name: 'Demander un remboursement' }).click();
    await page.getByLabel('Ticket').fill('1000000000');
    await page.getByRole('button', { name: 'Demander un remboursement' }).click();
    await page.locator('.mantine-TextInput-error, [data-testid=errors]').first().waitFor();
    await page.getByLabel('Ticket').fill(p.numTrans);
    await page.getByRole('button', { name: 'Demander un remboursement' }).click();
    await page.getByRole('status').filter({ hasText: 'Demande de remboursement enregistrée' }).waitFor();
    const filed = await s.gql<{ registration: { refundRequests: { id: string; requestedBy: string }[] } }>('query($id: ID!) { registration(id: $id) { refundRequests { id requestedBy } } }', { id: p.registrationId }, await s.tokenFor('PAYMENTS'));
    expect(filed.data!.registration.refundRequests).toEqual([{ id: expect.any(String), requestedBy: 'staff:support@test.local' }]);
    const refundId = filed.data!.registration.refundRequests[0].id;

    await login(page, 'payments@test.local', STAFF_PASSWORD);
    await go(page, 'Remboursements');
    const row = page.getByRole('row', { name: new RegExp(p.familyName) });
    await row.waitFor();
    await checkScreen(page, 'refund-queue');
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Éligibilité' }).waitFor();
    await page.getByText('Fin du délai de rétractation').waitFor();
    await page.getByText('Éligible (WITHDRAWAL)').waitFor();
    await page.getByLabel('Commentaire').fill('Withdrawal within 14 days: approved');
    await checkScreen(page, 'refund-decision');
    await page.getByRole('button', { name: 'Approuver' }).click();
    await page.getByRole('button', { name: 'Exécuter le remboursement' }).click();
    await page.getByText('SUCCEEDED', { exact: true }).first().waitFor();
    await page.getByText('APPROVED → PROCESSING').waitFor();
    const done = await s.gql<{ refundRequest: { status: string } }>('query($id: ID!) { refundRequest(id: $id) { status } }', { id: refundId }, await s.tokenFor('PAYMENTS'));
    expect(done.data?.refundRequest.status).toBe('SUCCEEDED');

    await page.goto(`/admin/refunds/${ownId}`);
    await page.getByLabel('Commentaire').fill('I asked for it myself');
    await page.getByRole('button', { name: 'Approuver' }).click();
    await page.getByRole('alert').filter({ hasText: 'quatre yeux' }).waitFor();
    await shot(page, 'refund-four-eyes');
  }, 90_000);

  it('PAYMENTS: finance summary for a period with the daily chart; an export downloaded in CSV and XLSX', async () => {
    const { page } = ui;
    await page.goto('/admin/finance?from=2017-02-01&to=2017-02-28');
    await expect.poll(() => page.getByTestId('finance-gross').innerText(), { timeout: 10_000 }).toMatch(/^120,00/);
    await page.getByRole('progressbar').waitFor({ state: 'detached' });
    await checkScreen(page, 'finance');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger payments.csv' }).click()]);
    expect(csv.suggestedFilename()).toBe('payments_2017-02-01_2017-02-28.csv');
    const text = readFileSync(await csv.path()).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.trim().split('\n')).toHaveLength(3);
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger refunds.xlsx' }).click()]);
    expect(readFileSync(await xlsx.path()).subarray(0, 2).toString()).toBe('PK');
  }, 60_000);

  it('CERTIFICATION and ADMIN: sessions with an exam content upload (a bad file shown), job runs with "run now", the audit log', async () => {
    const { page } = ui;
    await login(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await go(page, 'Sessions');
    await page.getByRole('row').nth(1).waitFor();
    await page.getByLabel('Session', { exact: true }).first().click();
    await page.getByRole('option').first().click();
    await page.getByLabel('Mot de passe surveillant').fill('proctor-pass-2017');
    await page.locator('input[type=file]').setInputFiles({ name: 'exam.json', mimeType: 'application/json', buffer: Buffer.from('{ "parts": [ broken') });
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText(/^JSON:/).waitFor();
    await page.locator('input[type=file]').setInputFiles({ name: 'exam.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ parts: examParts() })) });
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByRole('cell', { name: '✓' }).first().waitFor();
    await checkScreen(page, 'sessions');

    await go(page, 'Tâches');
    await page.getByRole('button', { name: 'Lancer maintenant' }).click();
    await page.getByRole('cell', { name: 'SUCCEEDED' }).first().waitFor();
    await checkScreen(page, 'jobs');

    await go(page, 'Journal d’audit');
    await page.getByRole('cell', { name: 'refund.submitted' }).first().waitFor();
    await page.getByLabel('Action').fill('no.such.action');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByText('Aucun résultat').waitFor();
    await page.getByLabel('Action').fill('');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByRole('cell', { name: 'refund.submitted' }).first().waitFor();
    await checkScreen(page, 'audit');
  }, 90_000);

  let examSessionId: string;

  it('CERTIFICATION: the fraud queue by purge deadline with a countdown; ADMIN places a legal hold; the reviewer starts the review and decides (a missing reason shown at the field)', async () => {
    examSessionId = await examSession(s);
    const e = await examinedLearner(s, examSessionId);
    const opened = await s.gql<{ openFraudCase: { fraudCase: { id: string } | null; errors: unknown[] } }>(
      'mutation($i: OpenFraudCaseInput!) { openFraudCase(input: $i) { fraudCase { id } errors { code message } } }',
      { i: { attemptId: e.attemptId, source: 'PROCTOR_REPORT', summary: 'A second person in the room' } },
      await s.tokenFor('CERTIFICATION'),
    );
    const caseId = opened.data!.openFraudCase.fraudCase!.id;
    const integration = await s.tokenFor('INTEGRATION');
    for (const [kind, type, body] of [['FACE_PHOTO', 'image/png', PNG], ['VIDEO', 'video/webm', Buffer.from('not a real video')]] as const) {
      const put = await fetch(`${s.url}/evidence/${e.attemptId}/${kind}`, { method: 'PUT', headers: { authorization: `Bearer ${integration}`, 'content-type': type, 'x-captured-at': e.startsAt }, body });
      expect(put.status).toBe(201);
    }

    const { page } = ui;
    await login(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`/admin/fraud/${caseId}`);
    await page.getByLabel(/^Motif \(Gel judiciaire\)/).fill('Complaint filed with the police');
    await page.getByRole('button', { name: 'Placer un gel' }).click();
    await page.getByRole('button', { name: 'Lever le gel' }).waitFor();

    await login(page, 'certification@test.local', STAFF_PASSWORD);
    expect(await menu(page)).toEqual(['Fraude', 'Certificats', 'Sessions', 'Tâches', 'GraphiQL']);
    await go(page, 'Fraude');
    const row = page.getByRole('row', { name: /A second person in the room/ });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/\d+ j \d\d h \d\d min/);
    await checkScreen(page, 'fraud-queue');
    await row.getByRole('link').click();
    await page.getByRole('button', { name: 'Afficher les preuves (journalisé)' }).click();
    const photo = page.getByTestId('evidence-image');
    await photo.waitFor();
    await expect.poll(() => photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    await page.getByTestId('evidence-video').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await checkScreen(page, 'fraud-case');
    await page.getByRole('button', { name: 'Commencer l’examen' }).click();
    await page.getByText('UNDER_REVIEW', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Décider' }).click();
    await page.locator('.mantine-Textarea-error').first().waitFor();
    await page.getByRole('textbox', { name: 'Motif', exact: true }).fill('Confirmed on the video at 12:40');
    await page.getByLabel('Décision').first().click();
    await page.getByRole('option', { name: 'FRAUD_CONFIRMED' }).click();
    await page.getByRole('button', { name: 'Décider' }).click();
    await page.getByText('FRAUD_CONFIRMED', { exact: true }).first().waitFor();
    const decided = await s.gql<{ fraudCase: { status: string } }>('query($id: ID!) { fraudCase(id: $id) { status } }', { id: caseId }, await s.tokenFor('CERTIFICATION'));
    expect(decided.data?.fraudCase.status).toBe('FRAUD_CONFIRMED');
  }, 90_000);

  it('CERTIFICATION: certificates: issue (a second issue refused and shown), preview the PDF, download it, revoke', async () => {
    const e = await passedLearner(s, examSessionId);
    const { page } = ui;
    await go(page, 'Certificats');
    await page.getByLabel('Id d’inscription').fill(e.registrationId);
    await page.getByRole('button', { name: 'Délivrer' }).click();
    const row = page.getByRole('row', { name: /VALID/ }).first();
    await row.waitFor();
    await page.getByLabel('Id d’inscription').fill(e.registrationId);
    await page.getByRole('button', { name: 'Délivrer' }).click();
    await page.locator('.mantine-TextInput-error, [role=alert]').first().waitFor();
    await checkScreen(page, 'certificates');

    await row.getByRole('button', { name: 'Aperçu' }).click();
    await page.locator('[data-testid=pdf-preview][data-state=done]').waitFor();
    await shot(page, 'certificate-preview');
    await page.keyboard.press('Escape');
    const [pdf] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Télécharger' }).click()]);
    expect(readFileSync(await pdf.path()).subarray(0, 5).toString()).toBe('%PDF-');

    await row.getByRole('button', { name: 'Révoquer' }).click();
    await page.getByRole('dialog').getByLabel('Motif').fill('Fraud confirmed after issue');
    await page.getByRole('dialog').getByRole('button', { name: 'Révoquer' }).click();
    await page.getByRole('row', { name: /REVOKED/ }).first().waitFor();
  }, 90_000);

  it('GraphiQL at GET /graphql in a browser (bundled, no CDN) sends the staff token', async () => {
    const { page } = ui;
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(s.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url());
    });
    const introspection = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('__schema'));
    await page.goto('/graphql');
    expect((await introspection).status()).toBe(200);
    expect(((await (await introspection).json()) as { data?: { __schema?: unknown } }).data?.__schema).toBeTruthy();
    await page.locator('.graphiql-container .monaco-editor').first().waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText('STAFF').first().waitFor();
    await shot(page, 'graphiql');
    expect(external).toEqual([]);
    expect(ui.problems).toEqual([]);
  }, 60_000);
});
