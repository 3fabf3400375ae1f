// End to end over HTTP, on the real Temporal server and PostgreSQL: one person from the first report
// to a closed case, with the consulate and the immigration authority working their own inboxes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, personBody, startHarness } from '../support/harness.js';

let h: Harness;
let consulateId: string;
const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
});
afterAll(async () => {
  await h?.stop();
});

describe('a case from the first report to closure', () => {
  it('when every stage is worked through the API, then the case closes and the timeline holds every step in order', async () => {
    const caseworker = await h.token('caseworker', { office: h.office, sub: 'cw-ana' });
    const supervisor = await h.token('supervisor', { office: h.office, sub: 'sup-ben' });
    const consul = await h.token('agency_officer', { agency: consulateId, sub: 'consul-chen' });
    const immigration = await h.token('agency_officer', { agency: 'immigration', sub: 'nia-dara' });

    const act = async (id: string, body: Record<string, unknown>, expected = 200) => {
      const res = await h.http.post(`/v1/cases/${id}/actions`).set(auth(caseworker)).send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(expected);
      return res.body;
    };
    const inbox = async (token: string, caseId: string) => {
      const res = await h.http.get('/v1/tasks').query({ caseId, status: 'open' }).set(auth(token));
      expect(res.status).toBe(200);
      return res.body.items as Array<{ id: string; type: string; input: Record<string, unknown> }>;
    };
    const work = async (token: string, taskId: string, result: Record<string, unknown>) => {
      expect((await h.http.post(`/v1/tasks/${taskId}/claim`).set(auth(token))).status).toBe(200);
      const res = await h.http.post(`/v1/tasks/${taskId}/complete`).set(auth(token)).send({ result });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.status).toBe('completed');
    };

    // Open
    const opened = await h.http
      .post('/v1/cases')
      .set(auth(caseworker))
      .send({
        person: personBody(),
        location: { country: 'MM', region: 'Kayin', site: 'KK Park' },
        source: { type: 'family_report', reference: 'hotline-4471' },
        riskFlags: ['abused'],
        consulateId,
      });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const id = opened.body.id as string;
    expect(opened.body).toMatchObject({ status: 'open', stage: 'locating', version: 1, office: h.office, priority: 'high' });
    expect(opened.body.reference).toMatch(/^HW-\d{4}-\d{6}$/);

    // locating → extraction → consular_contact
    await act(id, { type: 'record_sighting', location: { country: 'MM', site: 'KK Park' }, observedAt: '2026-10-01T08:00:00Z', source: 'family' });
    await act(id, { type: 'confirm_location', location: { country: 'MM', region: 'Kayin', site: 'KK Park', latitude: 16.7, longitude: 98.5 } });
    await act(id, { type: 'request_extraction', partner: 'Royal Thai Police', reference: 'RTP-2026-88' });
    const afterExtraction = await act(id, {
      type: 'record_extraction',
      extractedAt: '2026-10-20T03:00:00Z',
      handedOverTo: 'Tak immigration',
      injured: true,
      medicalNeeds: 'sprained wrist',
    });
    expect(afterExtraction.stage).toBe('consular_contact');

    // The consulate's inbox: nationality, travel document, shelter (abused), medical check (injured)
    const consularTasks = await inbox(consul, id);
    expect(consularTasks.map((t) => t.type).sort()).toEqual(['arrange_medical_check', 'arrange_shelter', 'issue_travel_document', 'verify_nationality']);
    const verify = consularTasks.find((t) => t.type === 'verify_nationality')!;
    // Need-to-know: identity for verification, never the case's whereabouts or screening.
    expect(Object.keys(verify.input).sort()).toEqual(['dateOfBirth', 'documents', 'fullName', 'nationality', 'sex']);
    // Its own number: the travel document joins the person's documents, which no other open case may hold.
    const travelDocumentNumber = `ETD-${randomUUID().slice(0, 8).toUpperCase()}`;
    const resultsByType: Record<string, Record<string, unknown>> = {
      verify_nationality: { verified: true },
      issue_travel_document: { documentType: 'emergency_travel_document', number: travelDocumentNumber, validUntil: '2027-01-31' },
      arrange_shelter: { shelterName: 'Mae Sot shelter', from: '2026-10-21' },
      arrange_medical_check: { fitToTravel: true },
    };
    for (const t of consularTasks) await work(consul, t.id, resultsByType[t.type]!);

    const inReturn = await h.http.get(`/v1/cases/${id}`).set(auth(caseworker));
    expect(inReturn.body.stage).toBe('return');
    expect(inReturn.body.travelDocument).toMatchObject({ number: travelDocumentNumber });

    // return → exit_restriction_check
    await act(id, { type: 'book_return', departureAt: '2026-11-02T06:00:00Z', arrivalPort: 'MNL', carrier: 'PR', flightNumber: 'PR731', manifestId: 'M-17' });
    await act(id, { type: 'record_departure', departedAt: '2026-11-02T06:10:00Z' });
    const arrived = await act(id, { type: 'record_arrival', arrivedAt: '2026-11-02T10:00:00Z', port: 'MNL', receivedBy: 'IACAT desk' });
    expect(arrived.stage).toBe('exit_restriction_check');

    // The immigration authority decides a restriction until 2029
    const [review] = await inbox(immigration, id);
    expect(review!.type).toBe('exit_restriction_review');
    await work(immigration, review!.id, {
      decision: 'restricted',
      basis: 'Exit and Entry Administration Law art. 12',
      from: '2026-11-03',
      until: '2029-11-03',
      noticeServedAt: '2026-11-03',
    });

    const inEmployment = await h.http.get(`/v1/cases/${id}`).set(auth(caseworker));
    expect(inEmployment.body.stage).toBe('employment_assistance');
    expect(inEmployment.body.exitRestriction).toMatchObject({ status: 'active', until: '2029-11-03' });

    // employment assistance; a placement abroad is refused while the restriction lasts
    await act(id, { type: 'record_assessment', skills: ['sewing'], education: 'secondary', preferredRegion: 'NCR', needs: ['counselling'] });
    await act(id, { type: 'record_referral', kind: 'job', organisation: 'PESO Manila', description: 'garment factory' });
    const abroad = await act(id, { type: 'record_placement', employer: 'Overseas Co', position: 'clerk', startDate: '2026-12-01', abroad: true }, 409);
    expect(abroad.error.code).toBe('invalid_transition');
    const placed = await act(id, { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
    // Follow-ups arrive on their days (+30/+90/+180); the next one is the case's next deadline.
    expect(placed.nextDeadline.kind).toBe('follow_up_due');
    await act(id, { type: 'request_closure', reason: 'reintegrated', comment: 'working, stable housing' });

    const pending = await h.http.get('/v1/approvals').query({ status: 'pending' }).set(auth(supervisor));
    const approval = (pending.body.items as Array<{ id: string; caseId: string; reason: string }>).find((a) => a.caseId === id)!;
    expect(approval.reason).toBe('reintegrated');
    const decided = await h.http.post(`/v1/approvals/${approval.id}/decision`).set(auth(supervisor)).send({ decision: 'approved', comment: 'well done' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    const closed = await h.http.get(`/v1/cases/${id}`).set(auth(caseworker));
    expect(closed.body).toMatchObject({ status: 'closed', stage: 'closed', closure: { reason: 'reintegrated', approvedBy: 'sup-ben' }, allowedActions: [] });

    // The timeline: every step, in order, with actor and stage
    const timeline = await h.http.get(`/v1/cases/${id}/timeline`).query({ limit: 500 }).set(auth(caseworker));
    expect(timeline.status).toBe(200);
    const items = timeline.body.items as Array<{ seq: number; type: string; actor: { sub: string; role: string }; stage: string }>;
    expect(items.map((e) => e.seq)).toEqual(items.map((_, i) => i + 1));
    const stageChanges = items.filter((e) => e.type === 'stage_changed').map((e) => (e as unknown as { data: { to: string } }).data.to);
    expect(stageChanges).toEqual(['extraction', 'consular_contact', 'return', 'exit_restriction_check', 'employment_assistance', 'closed']);
    expect(items[0]).toMatchObject({ type: 'case_opened', actor: { sub: 'cw-ana', role: 'caseworker' }, stage: 'locating' });
    expect(items.find((e) => e.type === 'confirm_location')).toMatchObject({ actor: { sub: 'cw-ana' }, stage: 'locating' });
    const completions = items.filter((e) => e.type === 'task_completed');
    expect(completions.map((e) => e.actor.sub)).toEqual(['consul-chen', 'consul-chen', 'consul-chen', 'consul-chen', 'nia-dara']);
    expect(items.at(-2)).toMatchObject({ type: 'closure_approved', actor: { sub: 'sup-ben', role: 'supervisor' } });
    expect(items.at(-1)).toMatchObject({ type: 'stage_changed', stage: 'closed' });
  });
});
