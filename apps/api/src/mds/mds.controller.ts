import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import {
  type HourlyResult,
  MDS_CSV_MEDIA_TYPE,
  MDS_JSON_MEDIA_TYPE,
  MDS_TTL_MS,
  MDS_VERSION,
  MdsService,
  type Page,
  parseReportName,
  parseTimestamp,
  parseUtcHour,
} from '@metrobici/mds';
import { Roles } from '../auth/auth.decorators';
import { requestBaseUrl } from '../common/request-base-url';
import { acceptsMds, mdsError } from './mds-http';

type Body = Record<string, unknown>;
interface Answer {
  status: number;
  body: Body;
}

/**
 * MDS 2.0 Provider API for the supervising agencies (`agency` accounts only; read-only). Answers
 * `application/vnd.mds+json;version=2.0` (reports: `text/vnd.mds+csv;version=2.0`), refuses an
 * `Accept` for another major version with 406, and reports problems in the spec's error shape.
 * Hours in the parameters are UTC hours, as the spec says.
 */
@ApiTags('mds')
@ApiBearerAuth()
@Roles('agency')
@Controller('mds')
export class MdsController {
  constructor(
    private readonly mds: MdsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('vehicles')
  @ApiOperation({ summary: 'MDS: the fleet (bicycles, human propulsion), paged' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async vehicles(@Query('cursor') cursor: string | undefined, @Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () => {
      const page = await this.mds.vehicles(cursor ?? null);
      return this.ok({ vehicles: page.items, ...this.realtime(MDS_TTL_MS.vehicles), links: this.links(req, page) });
    });
  }

  @Get('vehicles/status')
  @ApiOperation({ summary: 'MDS: current state and last known position of every bike, paged' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async statuses(@Query('cursor') cursor: string | undefined, @Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () => {
      const page = await this.mds.vehicleStatuses(cursor ?? null);
      return this.ok({
        vehicles_status: page.items,
        ...this.realtime(MDS_TTL_MS.status),
        links: this.links(req, page),
      });
    });
  }

  @Get('vehicles/status/:device_id')
  @ApiOperation({ summary: 'MDS: one bike’s current state' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async status(@Param('device_id') deviceId: string, @Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () =>
      this.ok({ vehicles_status: [await this.mds.vehicleStatus(deviceId)], ...this.realtime(MDS_TTL_MS.status) }),
    );
  }

  @Get('vehicles/:device_id')
  @ApiOperation({ summary: 'MDS: one bike' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async vehicle(@Param('device_id') deviceId: string, @Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () =>
      this.ok({ vehicles: [await this.mds.vehicleById(deviceId)], ...this.realtime(MDS_TTL_MS.vehicles) }),
    );
  }

  @Get('trips')
  @ApiOperation({ summary: 'MDS: trips that ended in a UTC hour (`end_time=YYYY-MM-DDTHH`)' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async trips(@Query('end_time') endTime: unknown, @Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () =>
      this.hourly('trips', 'end_time', await this.mds.trips(parseUtcHour('end_time', endTime))),
    );
  }

  @Get('events/historical')
  @ApiOperation({ summary: 'MDS: bike events of a UTC hour (`event_time=YYYY-MM-DDTHH`)' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async historical(@Query('event_time') eventTime: unknown, @Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () =>
      this.hourly('events', 'event_time', await this.mds.historicalEvents(parseUtcHour('event_time', eventTime))),
    );
  }

  @Get('events/recent')
  @ApiOperation({ summary: 'MDS: bike events in [start_time, end_time) (epoch ms, last two weeks), paged' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async recent(
    @Query('start_time') startTime: unknown,
    @Query('end_time') endTime: unknown,
    @Query('cursor') cursor: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.json(req, res, async () => {
      const start = parseTimestamp('start_time', startTime);
      const end = parseTimestamp('end_time', endTime);
      const page = await this.mds.recentEvents(start, end, cursor ?? null);
      return this.ok({ events: page.items, links: this.links(req, page) });
    });
  }

  @Get('stops')
  @ApiOperation({ summary: 'MDS: the stations with capacity and live counts' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async stops(@Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () =>
      this.ok({ stops: await this.mds.stops(), ...this.realtime(MDS_TTL_MS.stops) }),
    );
  }

  @Get('stops/:stop_id')
  @ApiOperation({ summary: 'MDS: one station' })
  @ApiProduces(MDS_JSON_MEDIA_TYPE)
  async stop(@Param('stop_id') stopId: string, @Req() req: Request, @Res() res: Response) {
    await this.json(req, res, async () =>
      this.ok({ stops: [await this.mds.stop(stopId)], ...this.realtime(MDS_TTL_MS.stops) }),
    );
  }

  @Get('reports/:filename')
  @ApiOperation({ summary: 'MDS: monthly report `YYYY-MM.csv` (Bogotá months, k = 10 suppression)' })
  @ApiProduces(MDS_CSV_MEDIA_TYPE)
  async report(@Param('filename') filename: string, @Req() req: Request, @Res() res: Response) {
    if (!acceptsMds(req.headers.accept, 'csv')) return this.send(res, notAcceptable());
    const month = parseReportName(filename);
    const csv = month ? await this.mds.monthlyReport(month.year, month.month) : null;
    if (csv === null) {
      return this.send(
        res,
        mdsError(
          404,
          'not_found',
          'No existe ese informe: el mes no ha terminado, es anterior al piloto o el nombre no es YYYY-MM.csv.',
          [filename],
        ),
      );
    }
    res.status(200).setHeader('Content-Type', MDS_CSV_MEDIA_TYPE);
    res.end(csv);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Negotiates, runs, and writes an MDS JSON answer; domain problems become the spec's errors. */
  private async json(req: Request, res: Response, build: () => Promise<Answer>): Promise<void> {
    if (!acceptsMds(req.headers.accept, 'json')) return this.send(res, notAcceptable());
    let answer: Answer;
    try {
      answer = await build();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      answer = fromDomainError(error);
    }
    this.send(res, answer);
  }

  private send(res: Response, answer: Answer): void {
    res.status(answer.status).setHeader('Content-Type', MDS_JSON_MEDIA_TYPE);
    res.end(JSON.stringify(answer.body));
  }

  private ok(body: Body): Answer {
    return { status: 200, body: { version: MDS_VERSION, ...body } };
  }

  private hourly(key: 'trips' | 'events', param: string, result: HourlyResult<unknown>): Answer {
    switch (result.kind) {
      case 'ok':
        return this.ok({ [key]: result.items });
      case 'processing':
        // The spec's "not yet available for this hour": ask again shortly.
        return { status: 202, body: { version: MDS_VERSION } };
      case 'not_found':
        return mdsError(404, 'not_found', result.why, [param]);
    }
  }

  /** Realtime endpoints carry when the data was read and how long it holds (ms). */
  private realtime(ttl: number): Body {
    return { last_updated: this.clock.now().getTime(), ttl };
  }

  /** JSON:API paging links, absolute: `next` is null on the last page. */
  private links(req: Request, page: Page<unknown>): { first: string; next: string | null } {
    const base = (this.config.http.publicBaseUrl ?? requestBaseUrl(req)).replace(/\/+$/, '');
    const url = new URL(req.originalUrl, `${base}/`);
    const at = (cursor: string | null): string => {
      const u = new URL(`${base}${url.pathname}`);
      for (const [k, v] of url.searchParams) if (k !== 'cursor') u.searchParams.append(k, v);
      if (cursor) u.searchParams.set('cursor', cursor);
      return u.toString();
    };
    return { first: at(null), next: page.next ? at(page.next) : null };
  }
}

function notAcceptable(): Answer {
  return mdsError(406, 'unsupported_version', `Esta API sirve MDS ${MDS_VERSION} (${MDS_JSON_MEDIA_TYPE}).`, [
    'Accept',
  ]);
}

function fromDomainError(error: DomainError): Answer {
  const details = (error.details ?? {}) as { mds?: 'bad_param' | 'missing_param'; parameter?: string };
  if (error.code === 'VALIDATION_FAILED' && details.mds && details.parameter) {
    return mdsError(400, details.mds, error.message, [details.parameter], details.parameter);
  }
  if (error.code === 'BIKE_NOT_FOUND' || error.code === 'STATION_NOT_FOUND') {
    return mdsError(404, 'unregistered', error.message, [JSON.stringify(error.details ?? {})]);
  }
  throw error;
}
