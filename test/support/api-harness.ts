import { type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, type StaffRole } from '@metrobici/common';
import { createApiApp } from '../../apps/api/src/app.factory';
import { Factories, TEST_PASSWORD } from './factories';
import { ApiClient } from './http';
import { createTestEnv, type TestEnv } from './test-env';

export interface ApiHarness {
  app: INestApplication;
  env: TestEnv;
  ds: DataSource;
  make: Factories;
  api: ApiClient;
  url: string;
  /** Creates a staff member of that role and returns a client signed in as them. */
  signedIn(
    role: StaffRole,
    overrides?: { homeStationId?: string | null; allStations?: boolean },
  ): Promise<{ api: ApiClient; id: string; email: string }>;
  close(): Promise<void>;
}

/** Boots the real API (same factory as production) on a random port against a private database. */
export async function startApi(options: { env?: Record<string, string>; clock?: Clock } = {}): Promise<ApiHarness> {
  const env = await createTestEnv(options.env);
  const app = await createApiApp(env.config, { clock: options.clock, logLevels: ['fatal'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const ds = app.get(DataSource);
  const make = new Factories(ds);
  const api = new ApiClient(url);
  return {
    app,
    env,
    ds,
    make,
    api,
    url,
    async signedIn(role, overrides = {}) {
      const user = await make.staff(role, overrides);
      const res = await api.post('/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { api: api.as(res.body.accessToken), id: user.id, email: user.email };
    },
    async close() {
      await app.close();
      await env.teardown();
    },
  };
}
