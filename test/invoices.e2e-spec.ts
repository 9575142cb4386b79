import { randomUUID } from 'node:crypto';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';

const MISSING = '0192f000-0000-7000-8000-000000000000';

describe('invoices and payments (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let other: TestClinic;
  let patientId: string;
  let patient2Id: string;
  let massageId: string;
  let physioId: string;
  let theirPatientId: string;
  let theirServiceId: string;

  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
    [clinic, other] = await Promise.all([createClinic(env), createClinic(env, { name: 'Other' })]);
    const fd = bearer(clinic.keys.front_desk);
    patientId = (await env.http().post('/v1/patients').set(fd).send({ firstName: 'Ada', lastName: 'L' })).body.id;
    patient2Id = (await env.http().post('/v1/patients').set(fd).send({ firstName: 'Bob', lastName: 'B' })).body.id;
    massageId = (await env.http().post('/v1/services').set(bearer(clinic.keys.billing)).send({ name: 'Massage', price: 12000 })).body.id;
    physioId = (await env.http().post('/v1/services').set(bearer(clinic.keys.billing)).send({ name: 'Physio', price: 9000 })).body.id;
    theirPatientId = (await env.http().post('/v1/patients').set(bearer(other.keys.front_desk)).send({ firstName: 'T', lastName: 'P' })).body.id;
    theirServiceId = (await env.http().post('/v1/services').set(bearer(other.keys.billing)).send({ name: 'T', price: 1 })).body.id;
  });
  afterAll(async () => {
    await env?.close();
  });

  const as = (role: keyof TestClinic['keys'], c = clinic) => bearer(c.keys[role]);
  const todayToronto = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto' }).format(new Date());
  const newInvoice = async (pid = patientId, c = clinic) => {
    const res = await env.http().post('/v1/invoices').set(as('front_desk', c)).send({ patientId: pid });
    expect(res.status).toBe(201);
    return res.body as { id: string; number: number };
  };
  const addLine = (invoiceId: string, body: Record<string, unknown>) => env.http().post(`/v1/invoices/${invoiceId}/lines`).set(as('front_desk')).send(body);
  const pay = (invoiceId: string, body: Record<string, unknown>, role: keyof TestClinic['keys'] = 'front_desk') =>
    env.http().post(`/v1/invoices/${invoiceId}/payments`).set(as(role)).send(body);
  const getInvoice = (id: string) => env.http().get(`/v1/invoices/${id}`).set(as('front_desk'));

  describe('POST /v1/invoices', () => {
    it('creates a blank service invoice dated today in the clinic time zone', async () => {
      const res = await env.http().post('/v1/invoices').set(as('front_desk')).send({ patientId });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        number: 1,
        patientId,
        kind: 'service',
        status: 'open',
        purchaseId: null,
        appointmentId: null,
        dueDate: null,
        serviceDate: todayToronto(),
        lines: [],
        subtotal: 0,
        taxTotal: 0,
        total: 0,
        amountPaid: 0,
        amountRefunded: 0,
        amountWrittenOff: 0,
        balanceDue: 0,
        payments: [],
        createdAt: expect.any(String),
      });
      expect((await getInvoice(res.body.id)).body).toEqual(res.body);
    });

    it('20 concurrent creations get the numbers that follow, gap-free, in a fresh clinic exactly 1..20', async () => {
      const fresh = await createClinic(env, { name: 'Fresh' });
      const pid = (await env.http().post('/v1/patients').set(as('front_desk', fresh)).send({ firstName: 'F', lastName: 'P' })).body.id;
      const results = await Promise.all(Array.from({ length: 20 }, () => env.http().post('/v1/invoices').set(as('front_desk', fresh)).send({ patientId: pid })));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(results.map((r) => r.body.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // Numbering is per clinic: the first clinic's next number is unaffected.
      const next = await newInvoice();
      const { rows } = await env.db.query('select count(*)::int as n from invoice where clinic_id = $1', [clinic.id]);
      expect(next.number).toBe(rows[0].n);
    });

    it('400 on a bad body; 404 for another clinic patient, like a missing one; no number is used', async () => {
      for (const body of [{}, { patientId: 'x' }, { patientId, kind: 'package' }]) {
        expect((await env.http().post('/v1/invoices').set(as('front_desk')).send(body)).status).toBe(400);
      }
      const cross = await env.http().post('/v1/invoices').set(as('front_desk')).send({ patientId: theirPatientId });
      const missing = await env.http().post('/v1/invoices').set(as('front_desk')).send({ patientId: MISSING });
      expect(cross.status).toBe(404);
      expect(cross.body).toEqual(missing.body);
      const { rows } = await env.db.query('select invoice_seq, (select count(*)::int from invoice where clinic_id = $1) as n from clinic where id = $1', [clinic.id]);
      expect(rows[0].invoice_seq).toBe(rows[0].n);
    });
  });

  describe('lines', () => {
    it('POST adds a line at list price (quantity defaults to 1) and the totals follow', async () => {
      const inv = await newInvoice();
      const a = await addLine(inv.id, { serviceId: massageId });
      expect(a.status).toBe(201);
      expect(a.body).toEqual({ id: expect.any(String), serviceId: massageId, kind: 'service', description: 'Massage', quantity: 1, unitPrice: 12000, amount: 12000, taxCodes: [], taxes: [] });
      const b = await addLine(inv.id, { serviceId: physioId, quantity: 3 });
      expect(b.body).toMatchObject({ quantity: 3, unitPrice: 9000, amount: 27000 });
      const got = await getInvoice(inv.id);
      expect(got.body.lines).toEqual([a.body, b.body]);
      expect(got.body).toMatchObject({ total: 39000, balanceDue: 39000, status: 'open' });
    });

    it('POST 400 on bad quantities and unknown fields', async () => {
      const inv = await newInvoice();
      for (const body of [{ serviceId: massageId, quantity: 0 }, { serviceId: massageId, quantity: 1.5 }, { serviceId: massageId, quantity: -2 }, { serviceId: massageId, quantity: 1001 }, { serviceId: massageId, unitPrice: 1 }, { quantity: 1 }]) {
        const res = await addLine(inv.id, body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation_failed');
      }
    });

    it('POST 404 for another clinic invoice or service', async () => {
      const inv = await newInvoice();
      const theirs = await newInvoice(theirPatientId, other);
      expect((await addLine(theirs.id, { serviceId: massageId })).status).toBe(404);
      expect((await addLine(inv.id, { serviceId: theirServiceId })).status).toBe(404);
      expect((await addLine(MISSING, { serviceId: massageId })).status).toBe(404);
      const { rows } = await env.db.query('select count(*)::int as n from invoice_line where invoice_id = any($1)', [[inv.id, theirs.id]]);
      expect(rows[0].n).toBe(0);
    });

    it('POST on a paid invoice adds the line and reopens it; invoice_void on a void one; 409 invoice_not_open on a non-service invoice', async () => {
      const paid = await newInvoice();
      await addLine(paid.id, { serviceId: massageId });
      await pay(paid.id, { amount: 12000, method: 'cash' }).expect(201);
      expect((await addLine(paid.id, { serviceId: massageId })).status).toBe(201);
      expect((await getInvoice(paid.id)).body).toMatchObject({ status: 'open', total: 24000, balanceDue: 12000 });

      const voided = await newInvoice();
      await env.db.query(`update invoice set status = 'void', voided_at = now() where id = $1`, [voided.id]);
      expect((await addLine(voided.id, { serviceId: massageId })).body.code).toBe('invoice_void');

      const pkg = await newInvoice();
      await env.db.query(`update invoice set kind = 'package' where id = $1`, [pkg.id]);
      expect((await addLine(pkg.id, { serviceId: massageId })).status).toBe(409);
    });

    it('DELETE removes a line (204) and the total follows', async () => {
      const inv = await newInvoice();
      const a = await addLine(inv.id, { serviceId: massageId });
      const b = await addLine(inv.id, { serviceId: physioId, quantity: 2 });
      const del = await env.http().delete(`/v1/invoices/${inv.id}/lines/${a.body.id}`).set(as('front_desk'));
      expect(del.status).toBe(204);
      const got = await getInvoice(inv.id);
      expect(got.body.lines).toEqual([b.body]);
      expect(got.body.total).toBe(18000);
      expect((await env.http().delete(`/v1/invoices/${inv.id}/lines/${a.body.id}`).set(as('front_desk'))).status).toBe(404);
    });

    it('DELETE 404 for a line of another invoice or another clinic invoice', async () => {
      const inv = await newInvoice();
      const otherInv = await newInvoice();
      const line = await addLine(otherInv.id, { serviceId: massageId });
      expect((await env.http().delete(`/v1/invoices/${inv.id}/lines/${line.body.id}`).set(as('front_desk'))).status).toBe(404);
      const theirs = await newInvoice(theirPatientId, other);
      const theirLine = await env.http().post(`/v1/invoices/${theirs.id}/lines`).set(as('front_desk', other)).send({ serviceId: theirServiceId });
      expect((await env.http().delete(`/v1/invoices/${theirs.id}/lines/${theirLine.body.id}`).set(as('owner'))).status).toBe(404);
      expect((await getInvoice(otherInv.id)).body.lines).toHaveLength(1);
    });

    it('DELETE 409 line_in_use once the invoice has a payment', async () => {
      const inv = await newInvoice();
      const line = await addLine(inv.id, { serviceId: massageId });
      await pay(inv.id, { amount: 100, method: 'card' }).expect(201);
      const res = await env.http().delete(`/v1/invoices/${inv.id}/lines/${line.body.id}`).set(as('front_desk'));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('line_in_use');
    });

    it('DELETE 409 line_in_use once the line is redeemed; GET shows the redemption', async () => {
      const inv = await newInvoice();
      const line = await addLine(inv.id, { serviceId: massageId });
      const other = await addLine(inv.id, { serviceId: physioId });
      const { purchaseId } = await insertPurchase(env, clinic.id, patientId, massageId);
      const commandId = randomUUID();
      await env.db.query(
        `update invoice_line set redemption_purchase_id = $2, redemption_command_id = $3, covered_amount = amount where id = $1`,
        [line.body.id, purchaseId, commandId],
      );
      await env.db.query(`update invoice set covered_amount = 12000 where id = $1`, [inv.id]);
      const res = await env.http().delete(`/v1/invoices/${inv.id}/lines/${line.body.id}`).set(as('front_desk'));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('line_in_use');
      const got = await getInvoice(inv.id);
      expect(got.body.lines).toEqual([{ ...line.body, redemption: { purchaseId, commandId, coveredAmount: 12000 } }, other.body]);
      expect(got.body).toMatchObject({ total: 21000, balanceDue: 9000 });
      // The other line is free to go.
      expect((await env.http().delete(`/v1/invoices/${inv.id}/lines/${other.body.id}`).set(as('front_desk'))).status).toBe(204);
    });
  });

  describe('payments', () => {
    it('201 with the exact shape; a partial then the rest marks the invoice paid', async () => {
      const inv = await newInvoice();
      await addLine(inv.id, { serviceId: massageId });
      const a = await pay(inv.id, { amount: 2000, method: 'cash' });
      expect(a.status).toBe(201);
      expect(a.body).toEqual({ id: expect.any(String), invoiceId: inv.id, amount: 2000, method: 'cash', reference: null, at: expect.any(String), voided: false });
      expect((await getInvoice(inv.id)).body).toMatchObject({ status: 'open', amountPaid: 2000, balanceDue: 10000 });
      const b = await pay(inv.id, { amount: 10000, method: 'card', reference: ' slip 42 ' }, 'billing');
      expect(b.body.reference).toBe('slip 42');
      const got = await getInvoice(inv.id);
      expect(got.body).toMatchObject({ status: 'paid', total: 12000, amountPaid: 12000, amountRefunded: 0, balanceDue: 0 });
      expect(got.body.payments).toEqual([
        { id: a.body.id, amount: 2000, method: 'cash', at: a.body.at, reference: null, voided: false },
        { id: b.body.id, amount: 10000, method: 'card', at: b.body.at, reference: 'slip 42', voided: false },
      ]);
      const { rows } = await env.db.query('select effect_key, created_by_key_id from payment where id = $1', [a.body.id]);
      expect(rows[0].effect_key).toBe(`payment:${a.body.id}`);
      expect(rows[0].created_by_key_id).toEqual(expect.any(String));
    });

    it('422 overpayment above the balance due, including on a paid invoice', async () => {
      const inv = await newInvoice();
      await addLine(inv.id, { serviceId: physioId });
      const over = await pay(inv.id, { amount: 9001, method: 'cash' });
      expect(over.status).toBe(422);
      expect(over.body.code).toBe('overpayment');
      await pay(inv.id, { amount: 9000, method: 'cash' }).expect(201);
      expect((await pay(inv.id, { amount: 1, method: 'cash' })).body.code).toBe('overpayment');
      const blank = await newInvoice();
      expect((await pay(blank.id, { amount: 1, method: 'cash' })).status).toBe(422);
    });

    it('a retried payment with the same Idempotency-Key pays once, even when its first answer was never stored', async () => {
      const inv = await newInvoice();
      await addLine(inv.id, { serviceId: massageId }); // 12000
      const key = `pay-${Date.now()}`;
      const first = await pay(inv.id, { amount: 5000, method: 'card' }).set('Idempotency-Key', key);
      expect(first.status).toBe(201);
      // As if the process died after the payment committed and before the answer was stored.
      await env.db.query(`update idempotency_record set state = 'in_progress', status_code = null, response_body = null, created_at = now() - interval '5 minutes' where key = $1`, [key]);
      const retry = await pay(inv.id, { amount: 5000, method: 'card' }).set('Idempotency-Key', key);
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(first.body.id);
      expect((await getInvoice(inv.id)).body).toMatchObject({ amountPaid: 5000, balanceDue: 7000 });
    });

    it('a retried tip with the same Idempotency-Key adds one line, even when its first answer was never stored', async () => {
      const inv = await newInvoice();
      await addLine(inv.id, { serviceId: massageId }); // 12000
      const key = `tip-${Date.now()}`;
      const first = await addLine(inv.id, { kind: 'tip', description: 'Thank you', amount: 500 }).set('Idempotency-Key', key);
      expect(first.status).toBe(201);
      // As if the connection was cut after the line committed and before the answer was stored.
      await env.db.query(`update idempotency_record set state = 'in_progress', status_code = null, response_body = null, created_at = now() - interval '5 minutes' where key = $1`, [key]);
      const retry = await addLine(inv.id, { kind: 'tip', description: 'Thank you', amount: 500 }).set('Idempotency-Key', key);
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(first.body.id);
      const got = (await getInvoice(inv.id)).body;
      expect(got.lines.filter((l: { kind: string }) => l.kind === 'tip')).toHaveLength(1);
      expect(got).toMatchObject({ total: 12500, balanceDue: 12500 });
    });

    it('a retried blank invoice with the same Idempotency-Key is made once, even when its first answer was never stored', async () => {
      const key = `blank-${Date.now()}`;
      const post = () => env.http().post('/v1/invoices').set(as('front_desk')).set('Idempotency-Key', key).send({ patientId });
      const first = await post();
      expect(first.status).toBe(201);
      await env.db.query(`update idempotency_record set state = 'in_progress', status_code = null, response_body = null, created_at = now() - interval '5 minutes' where key = $1`, [key]);
      const retry = await post();
      expect(retry.status).toBe(201);
      expect(retry.body).toMatchObject({ id: first.body.id, number: first.body.number });
      // No number spent on the retry: the next invoice takes the one after it.
      expect((await newInvoice()).number).toBe(first.body.number + 1);
    });

    it('concurrent payments never pay more than is due', async () => {
      const inv = await newInvoice();
      await addLine(inv.id, { serviceId: massageId }); // 12000
      const results = await Promise.all(Array.from({ length: 10 }, () => pay(inv.id, { amount: 3000, method: 'card' })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(4);
      expect(results.filter((r) => r.status === 422)).toHaveLength(6);
      const got = await getInvoice(inv.id);
      expect(got.body).toMatchObject({ amountPaid: 12000, balanceDue: 0, status: 'paid' });
      expect(got.body.payments).toHaveLength(4);
    });

    it('409 invoice_not_open on a void invoice; 404 for another clinic invoice', async () => {
      const inv = await newInvoice();
      await addLine(inv.id, { serviceId: massageId });
      await env.db.query(`update invoice set status = 'void', voided_at = now() where id = $1`, [inv.id]);
      const res = await pay(inv.id, { amount: 100, method: 'cash' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('invoice_not_open');
      const theirs = await newInvoice(theirPatientId, other);
      expect((await pay(theirs.id, { amount: 1, method: 'cash' })).status).toBe(404);
      expect((await pay(MISSING, { amount: 1, method: 'cash' })).status).toBe(404);
    });

    it.each([
      [{ amount: 0, method: 'cash' }, 'amount'],
      [{ amount: -100, method: 'cash' }, 'amount'],
      [{ amount: 10.5, method: 'cash' }, 'amount'],
      [{ amount: '100', method: 'cash' }, 'amount'],
      [{ method: 'cash' }, 'amount'],
      [{ amount: 100, method: 'package_credit' }, 'method'],
      [{ amount: 100, method: 'bitcoin' }, 'method'],
      [{ amount: 100 }, 'method'],
      [{ amount: 100, method: 'cash', reference: 'x'.repeat(201) }, 'reference'],
      [{ amount: 100, method: 'cash', at: '2026-01-01' }, 'at'],
    ])('400 on %j', async (body, field) => {
      const inv = await newInvoice();
      const res = await pay(inv.id, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('Idempotency-Key: a replayed payment is answered again, never paid twice', async () => {
      const inv = await newInvoice();
      await addLine(inv.id, { serviceId: massageId });
      const key = idem('pay');
      const first = await env.http().post(`/v1/invoices/${inv.id}/payments`).set(as('front_desk')).set('Idempotency-Key', key).send({ amount: 500, method: 'cash' });
      const replay = await env.http().post(`/v1/invoices/${inv.id}/payments`).set(as('front_desk')).set('Idempotency-Key', key).send({ amount: 500, method: 'cash' });
      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect((await getInvoice(inv.id)).body.amountPaid).toBe(500);
      const reused = await env.http().post(`/v1/invoices/${inv.id}/payments`).set(as('front_desk')).set('Idempotency-Key', key).send({ amount: 600, method: 'cash' });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
    });
  });

  describe('GET', () => {
    it('shows refunds, insurance-friendly redemptions (paymentId) and purchase invoices as stored', async () => {
      const inv = await newInvoice();
      const line = await addLine(inv.id, { serviceId: massageId });
      const { purchaseId } = await insertPurchase(env, clinic.id, patientId, massageId);
      const commandId = randomUUID();
      const paymentId = randomUUID();
      await env.db.query(
        `insert into payment (id, clinic_id, invoice_id, amount, method, effect_key, command_id) values ($1, $2, $3, 12000, 'package_credit', $4, $5)`,
        [paymentId, clinic.id, inv.id, `test:${paymentId}`, commandId],
      );
      await env.db.query(`update invoice_line set redemption_purchase_id = $2, redemption_command_id = $3, redemption_payment_id = $4 where id = $1`, [line.body.id, purchaseId, commandId, paymentId]);
      await env.db.query(`update invoice set amount_paid = 12000, status = 'paid', purchase_id = null where id = $1`, [inv.id]);
      const got = await getInvoice(inv.id);
      expect(got.body.lines[0].redemption).toEqual({ purchaseId, commandId, coveredAmount: 0, paymentId });
      expect(got.body).toMatchObject({ total: 12000, amountPaid: 12000, balanceDue: 0, status: 'paid' });
      expect(got.body.payments).toEqual([{ id: paymentId, amount: 12000, method: 'package_credit', at: expect.any(String), reference: null, voided: false }]);
    });

    it('another clinic invoice is a 404 like a missing one; bad ids are 404', async () => {
      const theirs = await newInvoice(theirPatientId, other);
      const cross = await getInvoice(theirs.id);
      const missing = await getInvoice(MISSING);
      expect(cross.status).toBe(404);
      expect(cross.body).toEqual(missing.body);
      expect((await getInvoice('123')).status).toBe(404);
    });

    it('lists newest first with filters patientId, kind, status, overdue; paginated', async () => {
      const fresh = await createClinic(env, { name: 'List' });
      const k = as('front_desk', fresh);
      const p1 = (await env.http().post('/v1/patients').set(k).send({ firstName: 'A', lastName: 'A' })).body.id;
      const p2 = (await env.http().post('/v1/patients').set(k).send({ firstName: 'B', lastName: 'B' })).body.id;
      const svc = (await env.http().post('/v1/services').set(as('owner', fresh)).send({ name: 'S', price: 1000 })).body.id;
      const ids: string[] = [];
      for (const pid of [p1, p2, p1, p2, p1]) ids.push((await env.http().post('/v1/invoices').set(k).send({ patientId: pid })).body.id);
      // ids[0]: paid; ids[1]: overdue membership; ids[2]: open, due today; ids[3]: void; ids[4]: blank open.
      await env.http().post(`/v1/invoices/${ids[0]}/lines`).set(k).send({ serviceId: svc }).expect(201);
      await env.http().post(`/v1/invoices/${ids[0]}/payments`).set(k).send({ amount: 1000, method: 'cash' }).expect(201);
      await env.db.query(`update invoice set kind = 'membership', due_date = (now() at time zone 'America/Toronto')::date - 3 where id = $1`, [ids[1]]);
      await env.db.query(`update invoice set due_date = (now() at time zone 'America/Toronto')::date where id = $1`, [ids[2]]);
      await env.db.query(`update invoice set status = 'void' where id = $1`, [ids[3]]);

      const list = async (q: string) => {
        const res = await env.http().get(`/v1/invoices${q}`).set(k);
        expect(res.status).toBe(200);
        return res.body.data.map((i: { id: string }) => ids.indexOf(i.id));
      };
      expect(await list('')).toEqual([4, 3, 2, 1, 0]);
      expect(await list(`?patientId=${p1}`)).toEqual([4, 2, 0]);
      expect(await list('?kind=membership')).toEqual([1]);
      expect(await list('?kind=service&status=open')).toEqual([4, 2]);
      expect(await list('?status=paid')).toEqual([0]);
      expect(await list('?overdue=true')).toEqual([1]);
      expect(await list('?overdue=false')).toEqual([4, 3, 2, 0]);
      expect(await list(`?patientId=${p2}&overdue=true`)).toEqual([1]);

      const page1 = await env.http().get('/v1/invoices?limit=2').set(k);
      expect(page1.body.data.map((i: { id: string }) => ids.indexOf(i.id))).toEqual([4, 3]);
      expect(page1.body.data[0]).toEqual((await env.http().get(`/v1/invoices/${ids[4]}`).set(k)).body);
      const page2 = await env.http().get(`/v1/invoices?limit=2&cursor=${page1.body.nextCursor}`).set(k);
      const page3 = await env.http().get(`/v1/invoices?limit=2&cursor=${page2.body.nextCursor}`).set(k);
      expect([...page2.body.data, ...page3.body.data].map((i: { id: string }) => ids.indexOf(i.id))).toEqual([2, 1, 0]);
      expect(page3.body.nextCursor).toBeNull();
      for (const q of ['?kind=gift', '?status=late', '?overdue=yes', '?patientId=abc', '?foo=1']) {
        expect((await env.http().get(`/v1/invoices${q}`).set(k)).status).toBe(400);
      }
      // Another clinic's invoices never show.
      expect((await env.http().get(`/v1/invoices?patientId=${patientId}`).set(k)).body.data).toEqual([]);
    });
  });

  it('roles: every staff role may use invoices and payments; online is 403; no key 401', async () => {
    for (const role of ['owner', 'billing', 'front_desk'] as const) {
      const inv = await env.http().post('/v1/invoices').set(as(role)).send({ patientId: patient2Id });
      expect(inv.status).toBe(201);
      expect((await env.http().post(`/v1/invoices/${inv.body.id}/lines`).set(as(role)).send({ serviceId: massageId })).status).toBe(201);
      expect((await env.http().post(`/v1/invoices/${inv.body.id}/payments`).set(as(role)).send({ amount: 1, method: 'other' })).status).toBe(201);
      expect((await env.http().get(`/v1/invoices/${inv.body.id}`).set(as(role))).status).toBe(200);
      expect((await env.http().get('/v1/invoices').set(as(role))).status).toBe(200);
    }
    const inv = await newInvoice();
    const line = await addLine(inv.id, { serviceId: massageId });
    const online = as('online');
    expect((await env.http().post('/v1/invoices').set(online).send({ patientId })).status).toBe(403);
    expect((await env.http().get('/v1/invoices').set(online)).status).toBe(403);
    expect((await env.http().get(`/v1/invoices/${inv.id}`).set(online)).status).toBe(403);
    expect((await env.http().post(`/v1/invoices/${inv.id}/lines`).set(online).send({ serviceId: massageId })).status).toBe(403);
    expect((await env.http().delete(`/v1/invoices/${inv.id}/lines/${line.body.id}`).set(online)).status).toBe(403);
    expect((await env.http().post(`/v1/invoices/${inv.id}/payments`).set(online).send({ amount: 1, method: 'cash' })).status).toBe(403);
    expect((await env.http().get(`/v1/invoices/${inv.id}`)).status).toBe(401);
    expect((await env.http().post(`/v1/invoices/${inv.id}/payments`).send({ amount: 1, method: 'cash' })).status).toBe(401);
  });
});

/** A package purchase row, written directly: purchases are another module's job. */
async function insertPurchase(env: TestEnv, clinicId: string, patientId: string, serviceId: string): Promise<{ purchaseId: string }> {
  const planId = randomUUID();
  const purchaseId = randomUUID();
  await env.db.query(`insert into plan (id, clinic_id, kind, name, price) values ($1, $2, 'package', 'Test pack', 100000)`, [planId, clinicId]);
  await env.db.query(`insert into plan_item (id, clinic_id, plan_id, service_id, quantity, position) values ($1, $2, $3, $4, 10, 0)`, [randomUUID(), clinicId, planId, serviceId]);
  await env.db.query(
    `insert into purchase (id, clinic_id, patient_id, plan_id, kind, plan_name, start_date, price) values ($1, $2, $3, $4, 'package', 'Test pack', current_date, 100000)`,
    [purchaseId, clinicId, patientId, planId],
  );
  return { purchaseId };
}
