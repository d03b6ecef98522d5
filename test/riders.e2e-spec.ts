import { bogotaDate } from '@metrobici/common';
import { RiderEntity } from '@metrobici/riders';
import { startApi, type ApiHarness } from './support/api-harness';

/**
 * A birth date that makes someone `years` old today, half a year past the birthday, so the suite
 * neither rots with the calendar nor flips at midnight.
 */
function birthDateForAge(years: number): string {
  const [y, m, d] = bogotaDate(new Date()).split('-').map(Number);
  const anniversary = new Date(Date.UTC(y - years, m - 1, Math.min(d, 28)));
  return new Date(anniversary.getTime() - 180 * 86_400_000).toISOString().slice(0, 10);
}

let seq = 0;
/** A unique 10-digit cédula per call. */
function cedula(): string {
  seq += 1;
  return String(1_000_000_000 + ((Date.now() * 1000 + seq) % 8_999_999_999));
}

function registration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    documentType: 'CC',
    documentNumber: cedula(),
    firstName: 'María Fernanda',
    lastName: 'Rueda Pinzón',
    birthDate: birthDateForAge(30),
    gender: 'female',
    phone: '+57 300 123 4567',
    email: 'maria.rueda@example.com',
    consent: { accepted: true, termsVersion: '2019-10' },
    ...overrides,
  };
}

describe('riders (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => {
    await h.close();
  });

  describe('self-registration', () => {
    it('registers an adult as pending and answers only id and status', async () => {
      const body = registration();
      const res = await h.api.post('/api/v1/riders', body);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });

      const stored = await h.ds.getRepository(RiderEntity).findOneByOrFail({ id: res.body.id });
      expect(stored).toMatchObject({
        documentType: 'CC',
        documentNumber: body.documentNumber,
        firstName: 'María Fernanda',
        phone: '+57 300 123 4567',
        email: 'maria.rueda@example.com',
        status: 'pending',
        consentTermsVersion: '2019-10',
        consentPurposes: ['service'],
        guardianName: null,
      });
      expect(Math.abs(stored.consentAcceptedAt.getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('never makes a second rider with the same document, however it is formatted, and answers the same', async () => {
      const first = await h.api.post('/api/v1/riders', registration({ documentNumber: '1098765432' }));
      expect(first.status).toBe(201);

      for (const documentNumber of ['1098765432', '1.098.765.432', ' 1098-765 432 ']) {
        const dup = await h.api.post('/api/v1/riders', registration({ documentNumber, firstName: 'Otra' }));
        // Same status and shape as a new registration: the public cannot tell who is registered.
        expect(dup.status).toBe(201);
        expect(dup.body).toEqual({ id: expect.any(String), status: 'pending' });
        expect(dup.body.id).not.toBe(first.body.id);
      }
      const stored = await h.ds.getRepository(RiderEntity).findBy({ documentType: 'CC', documentNumber: '1098765432' });
      expect(stored.map((r) => [r.id, r.firstName])).toEqual([[first.body.id, 'María Fernanda']]);
      // The same number under another document type is another document.
      const otherType = await h.api.post(
        '/api/v1/riders',
        registration({ documentType: 'CE', documentNumber: '1098765432' }),
      );
      expect(otherType.status).toBe(201);
    });

    it('lets exactly one of five simultaneous registrations of a document win', async () => {
      const documentNumber = cedula();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => h.api.post('/api/v1/riders', registration({ documentNumber }))),
      );
      // All five get the same answer; only one rider exists.
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      for (const r of results) expect(r.body).toEqual({ id: expect.any(String), status: 'pending' });
      const [{ count }] = await h.ds.query('SELECT count(*)::int AS count FROM riders WHERE document_number = $1', [
        documentNumber,
      ]);
      expect(count).toBe(1);
    });

    it('refuses riders under 16', async () => {
      const res = await h.api.post(
        '/api/v1/riders',
        registration({
          documentType: 'TI',
          birthDate: birthDateForAge(15),
          guardian: { name: 'Luis Rueda', documentType: 'CC', documentNumber: cedula(), birthDate: '1970-02-03' },
        }),
      );
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('RIDER_TOO_YOUNG');
    });

    it('asks riders aged 16-17 for a guardian, and records the guardian', async () => {
      const alone = await h.api.post(
        '/api/v1/riders',
        registration({ documentType: 'TI', birthDate: birthDateForAge(17) }),
      );
      expect(alone.status).toBe(422);
      expect(alone.body.code).toBe('GUARDIAN_REQUIRED');

      const guardianDocument = cedula();
      const withGuardian = await h.api.post(
        '/api/v1/riders',
        registration({
          documentType: 'TI',
          birthDate: birthDateForAge(16),
          guardian: {
            name: ' Luis Rueda ',
            documentType: 'CC',
            documentNumber: `${guardianDocument.slice(0, 4)}.${guardianDocument.slice(4)}`,
            birthDate: '1970-02-03',
          },
        }),
      );
      expect(withGuardian.status).toBe(201);
      const stored = await h.ds.getRepository(RiderEntity).findOneByOrFail({ id: withGuardian.body.id });
      expect(stored).toMatchObject({
        guardianName: 'Luis Rueda',
        guardianDocumentType: 'CC',
        guardianDocumentNumber: guardianDocument,
      });

      const badGuardian = await h.api.post(
        '/api/v1/riders',
        registration({
          documentType: 'TI',
          birthDate: birthDateForAge(16),
          guardian: { name: 'Luis Rueda', documentType: 'CC', documentNumber: '12', birthDate: '1970-02-03' },
        }),
      );
      expect(badGuardian.status).toBe(400);
      expect(badGuardian.body.details.fields.map((f: { field: string }) => f.field)).toContain(
        'guardian.documentNumber',
      );
    });

    it('keeps no guardian data for adults', async () => {
      const res = await h.api.post(
        '/api/v1/riders',
        registration({
          guardian: { name: 'Nadie Necesario', documentType: 'CC', documentNumber: cedula(), birthDate: '1970-02-03' },
        }),
      );
      expect(res.status).toBe(201);
      const stored = await h.ds.getRepository(RiderEntity).findOneByOrFail({ id: res.body.id });
      expect(stored).toMatchObject({ guardianName: null, guardianDocumentType: null, guardianDocumentNumber: null });
    });

    it('requires the data-processing consent, for the current terms', async () => {
      const refused = await h.api.post(
        '/api/v1/riders',
        registration({ consent: { accepted: false, termsVersion: '2019-10' } }),
      );
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('CONSENT_REQUIRED');

      const oldTerms = await h.api.post(
        '/api/v1/riders',
        registration({ consent: { accepted: true, termsVersion: '2018-01' } }),
      );
      expect(oldTerms.status).toBe(400);
      expect(oldTerms.body.code).toBe('VALIDATION_FAILED');
      expect(oldTerms.body.details.fields).toEqual([
        { field: 'consent.termsVersion', problems: [expect.stringContaining('2019-10')] },
      ]);

      const missing = await h.api.post('/api/v1/riders', registration({ consent: undefined }));
      expect(missing.status).toBe(400);
      expect(missing.body.details.fields.map((f: { field: string }) => f.field)).toContain('consent');
    });

    it('rejects malformed fields with 400 VALIDATION_FAILED and the fields named', async () => {
      const bad = await h.api.post('/api/v1/riders', {
        ...registration(),
        documentType: 'DNI',
        birthDate: '17/05/1990',
        gender: 'x',
        phone: 'call me',
        email: 'not-an-email',
        firstName: 'a'.repeat(81),
        consent: { accepted: 'yes', termsVersion: '2019-10', extra: 1 },
        isAdmin: true,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      expect(bad.body.details.fields.map((f: { field: string }) => f.field)).toEqual(
        expect.arrayContaining([
          'documentType',
          'birthDate',
          'gender',
          'phone',
          'email',
          'firstName',
          'consent.accepted',
          'consent.extra',
          'isAdmin',
        ]),
      );

      for (const [documentType, documentNumber] of [
        ['CC', '12A45'],
        ['CC', '123'],
        ['PA', 'A1#'],
      ]) {
        const res = await h.api.post('/api/v1/riders', registration({ documentType, documentNumber }));
        expect(res.status).toBe(400);
        expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['documentNumber']);
      }

      for (const birthDate of ['2001-02-30', `${new Date().getUTCFullYear() + 1}-01-01`]) {
        const res = await h.api.post('/api/v1/riders', registration({ birthDate }));
        expect(res.status).toBe(400);
        expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['birthDate']);
      }

      const blankName = await h.api.post('/api/v1/riders', registration({ lastName: '   ' }));
      expect(blankName.status).toBe(400);
      expect(blankName.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['lastName']);
    });

    it('accepts the permits of Venezuelan migrants (PEP, PPT) and passports', async () => {
      for (const [documentType, documentNumber] of [
        ['PEP', `9${cedula().slice(1)}12345`],
        ['PPT', `5${cedula().slice(3)}`],
        ['PA', `v${cedula().slice(2)}`],
      ]) {
        const res = await h.api.post(
          '/api/v1/riders',
          registration({ documentType, documentNumber, gender: 'undisclosed', email: undefined }),
        );
        expect(res.status).toBe(201);
        const stored = await h.ds.getRepository(RiderEntity).findOneByOrFail({ id: res.body.id });
        expect(stored.documentType).toBe(documentType);
        expect(stored.documentNumber).toBe(documentNumber.toUpperCase());
        expect(stored.email).toBeNull();
      }
    });
  });

  describe('staff', () => {
    async function registered(
      overrides: Record<string, unknown> = {},
    ): Promise<{ id: string; body: Record<string, unknown> }> {
      const body = registration(overrides);
      const res = await h.api.post('/api/v1/riders', body);
      expect(res.status).toBe(201);
      return { id: res.body.id, body };
    }

    it('lets an operator verify a rider at their own station, once, and not at another station', async () => {
      const home = await h.make.station();
      const elsewhere = await h.make.station();
      const { api, id: operatorId } = await h.signedIn('operator', { homeStationId: home.id });
      const { id } = await registered();

      const other = await api.post(`/api/v1/riders/${id}/verify`, { stationId: elsewhere.id });
      expect(other.status).toBe(403);
      expect(other.body.code).toBe('STATION_NOT_ALLOWED');

      const ok = await api.post(`/api/v1/riders/${id}/verify`, { stationId: home.id });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        id,
        status: 'active',
        verifiedBy: operatorId,
        verifiedAtStationId: home.id,
        openLoan: null,
      });
      expect(ok.body.verifiedAt).toEqual(expect.any(String));

      const again = await api.post(`/api/v1/riders/${id}/verify`, { stationId: home.id });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('RIDER_ALREADY_VERIFIED');
    });

    it('refuses to verify unknown riders or stations, suspended riders, and planners', async () => {
      const station = await h.make.station();
      const { api: admin } = await h.signedIn('admin');
      const unknown = '00000000-0000-4000-8000-000000000000';

      const noRider = await admin.post(`/api/v1/riders/${unknown}/verify`, { stationId: station.id });
      expect(noRider.status).toBe(404);
      expect(noRider.body.code).toBe('RIDER_NOT_FOUND');

      const { id } = await registered();
      const noStation = await admin.post(`/api/v1/riders/${id}/verify`, { stationId: unknown });
      expect(noStation.status).toBe(404);
      expect(noStation.body.code).toBe('STATION_NOT_FOUND');

      const badBody = await admin.post(`/api/v1/riders/${id}/verify`, { stationId: 'here' });
      expect(badBody.status).toBe(400);
      expect(badBody.body.code).toBe('VALIDATION_FAILED');

      const { api: planner } = await h.signedIn('planner');
      const plannerTry = await planner.post(`/api/v1/riders/${id}/verify`, { stationId: station.id });
      expect(plannerTry.status).toBe(403);
      expect(plannerTry.body.code).toBe('FORBIDDEN');

      expect((await admin.post(`/api/v1/riders/${id}/suspend`, { reason: 'Documento dudoso' })).status).toBe(200);
      const suspended = await admin.post(`/api/v1/riders/${id}/verify`, { stationId: station.id });
      expect(suspended.status).toBe(409);
      expect(suspended.body.code).toBe('RIDER_SUSPENDED');
    });

    it('finds a rider by document for operators, with personal data, and hides it from others', async () => {
      const station = await h.make.station();
      const { api: operator } = await h.signedIn('operator', { homeStationId: station.id });
      const { id, body } = await registered({
        firstName: 'Yorman',
        lastName: 'Pérez',
        documentType: 'PPT',
        documentNumber: `7${cedula().slice(4)}`,
      });
      const number = body.documentNumber as string;
      const query = `/api/v1/riders?documentType=PPT&documentNumber=${encodeURIComponent(`${number.slice(0, 3)}-${number.slice(3)}`)}`;

      const found = await operator.get(query);
      expect(found.status).toBe(200);
      expect(found.body).toHaveLength(1);
      expect(found.body[0]).toMatchObject({
        id,
        documentType: 'PPT',
        documentNumber: number,
        firstName: 'Yorman',
        lastName: 'Pérez',
        birthDate: body.birthDate,
        gender: 'female',
        phone: '+57 300 123 4567',
        email: 'maria.rueda@example.com',
        status: 'pending',
        overdueStrikes: 0,
        guardian: null,
        consent: { termsVersion: '2019-10', purposes: ['service'] },
        openLoan: null,
      });

      const none = await operator.get(`/api/v1/riders?documentType=CC&documentNumber=${number}`);
      expect(none.status).toBe(200);
      expect(none.body).toEqual([]);

      const single = await operator.get(`/api/v1/riders/${id}`);
      expect(single.status).toBe(200);
      expect(single.body).toMatchObject({ id, firstName: 'Yorman' });

      const anonymous = await h.api.get(query);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('UNAUTHENTICATED');
      const anonymousOne = await h.api.get(`/api/v1/riders/${id}`);
      expect(anonymousOne.status).toBe(401);

      const { api: planner } = await h.signedIn('planner');
      const forbidden = await planner.get(query);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('FORBIDDEN');
      expect((await planner.get(`/api/v1/riders/${id}`)).status).toBe(403);
    });

    it('filters by status and bounds the limit', async () => {
      const { api: admin } = await h.signedIn('admin');
      await h.make.rider({ status: 'suspended', suspendedAt: new Date(), suspensionReason: 'prueba' });
      await h.make.rider({ status: 'suspended', suspendedAt: new Date(), suspensionReason: 'prueba' });

      const suspended = await admin.get('/api/v1/riders?status=suspended&limit=1');
      expect(suspended.status).toBe(200);
      expect(suspended.body).toHaveLength(1);
      expect(suspended.body[0].status).toBe('suspended');

      for (const limit of ['0', '201', 'abc', '1.5']) {
        const res = await admin.get(`/api/v1/riders?limit=${limit}`);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      const badStatus = await admin.get('/api/v1/riders?status=deleted');
      expect(badStatus.status).toBe(400);
      const unknownParam = await admin.get('/api/v1/riders?name=Ana');
      expect(unknownParam.status).toBe(400);
    });

    it('shows the open loan in the staff view', async () => {
      const station = await h.make.station();
      const bike = await h.make.bike({ state: 'on_loan' });
      const rider = await h.make.rider();
      const { api: operator, id: operatorId } = await h.signedIn('operator', { homeStationId: station.id });
      const startedAt = new Date(Date.now() - 10 * 60_000);
      const dueAt = new Date(startedAt.getTime() + 60 * 60_000);
      const [loan] = await h.ds.query(
        `INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, started_at, due_at, state, checked_out_by)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'open', $6) RETURNING id`,
        [bike.id, rider.id, station.id, startedAt, dueAt, operatorId],
      );

      const res = await operator.get(`/api/v1/riders/${rider.id}`);
      expect(res.status).toBe(200);
      expect(res.body.openLoan).toEqual({
        id: loan.id,
        bikeId: bike.id,
        fromStationId: station.id,
        startedAt: startedAt.toISOString(),
        dueAt: dueAt.toISOString(),
      });

      const listed = await operator.get(`/api/v1/riders?documentType=CC&documentNumber=${rider.documentNumber}`);
      expect(listed.body[0].openLoan).toMatchObject({ id: loan.id });
    });

    it('lets an admin suspend and reactivate, and nobody else', async () => {
      const station = await h.make.station();
      const { api: admin } = await h.signedIn('admin');
      const { api: operator } = await h.signedIn('operator', { homeStationId: station.id });
      const verified = await h.make.rider({ status: 'active', verifiedAt: new Date(), overdueStrikes: 2 });

      const byOperator = await operator.post(`/api/v1/riders/${verified.id}/suspend`, {
        reason: 'Devolución tardía reiterada',
      });
      expect(byOperator.status).toBe(403);
      expect(byOperator.body.code).toBe('FORBIDDEN');

      const noReason = await admin.post(`/api/v1/riders/${verified.id}/suspend`, {});
      expect(noReason.status).toBe(400);

      const suspended = await admin.post(`/api/v1/riders/${verified.id}/suspend`, {
        reason: 'Devolución tardía reiterada',
      });
      expect(suspended.status).toBe(200);
      expect(suspended.body).toMatchObject({
        status: 'suspended',
        suspensionReason: 'Devolución tardía reiterada',
        overdueStrikes: 2,
      });
      expect(suspended.body.suspendedAt).toEqual(expect.any(String));

      expect((await operator.post(`/api/v1/riders/${verified.id}/reactivate`)).status).toBe(403);
      const reactivated = await admin.post(`/api/v1/riders/${verified.id}/reactivate`);
      expect(reactivated.status).toBe(200);
      expect(reactivated.body).toMatchObject({
        status: 'active',
        suspendedAt: null,
        suspensionReason: null,
        overdueStrikes: 0,
      });

      // Never verified: back to pending, so the document check still happens.
      const unverified = await h.make.rider({
        status: 'suspended',
        verifiedAt: null,
        suspendedAt: new Date(),
        suspensionReason: 'prueba',
      });
      const back = await admin.post(`/api/v1/riders/${unverified.id}/reactivate`);
      expect(back.status).toBe(200);
      expect(back.body.status).toBe('pending');
    });

    it('answers 404 for an unknown id and 400 for a non-uuid', async () => {
      const { api: admin } = await h.signedIn('admin');
      const missing = await admin.get('/api/v1/riders/00000000-0000-4000-8000-000000000000');
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('RIDER_NOT_FOUND');

      const notUuid = await admin.get('/api/v1/riders/not-a-uuid');
      expect(notUuid.status).toBe(400);
      expect(notUuid.body.code).toBe('VALIDATION_FAILED');
      expect((await admin.post('/api/v1/riders/not-a-uuid/reactivate')).status).toBe(400);
      expect(
        (await admin.post('/api/v1/riders/00000000-0000-4000-8000-000000000000/suspend', { reason: 'nadie' })).status,
      ).toBe(404);
    });
  });
});
