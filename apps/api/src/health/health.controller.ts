import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS_CLIENT } from '@metrobici/redis';
import { Public, Roles } from '../auth/auth.decorators';
import { RateLimit } from '../common/rate-limit.guard';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  /**
   * 200 when the database and Redis both answer, 503 (with which one failed) otherwise. Public, so
   * only up or down per part: error texts name hosts and ports, and are for staff (`/details`).
   */
  @Public()
  @RateLimit('skip')
  @Get()
  async check(@Res({ passthrough: true }) res: Response) {
    const { ok, database, redis } = await this.probeAll();
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', database: withoutError(database), redis: withoutError(redis) };
  }

  /** The same with the error of each part that is down, for admins. */
  @Get('details')
  @Roles('admin')
  @ApiBearerAuth()
  async details(@Res({ passthrough: true }) res: Response) {
    const { ok, database, redis } = await this.probeAll();
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', database, redis };
  }

  private async probeAll() {
    const [database, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.redis.ping()),
    ]);
    return { ok: database.status === 'up' && redis.status === 'up', database, redis };
  }
}

function withoutError(part: { status: 'up' | 'down'; latencyMs: number }): {
  status: 'up' | 'down';
  latencyMs: number;
} {
  return { status: part.status, latencyMs: part.latencyMs };
}

async function probe(
  fn: () => Promise<unknown>,
): Promise<{ status: 'up' | 'down'; latencyMs: number; error?: string }> {
  const started = Date.now();
  try {
    await withTimeout(fn(), 2000);
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (e) {
    return { status: 'down', latencyMs: Date.now() - started, error: (e as Error).message };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
