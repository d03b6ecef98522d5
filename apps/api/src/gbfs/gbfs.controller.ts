import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError } from '@metrobici/common';
import { GBFS_FEEDS, type GbfsFeedName, GbfsService, isGbfsFeedName } from '@metrobici/gbfs';
import { Public } from '../auth/auth.decorators';
import { requestBaseUrl } from '../common/request-base-url';

/**
 * GBFS v3.0 files under /gbfs. Public and anonymous (the default public rate limit applies),
 * readable from any origin, cacheable for the file's ttl, with a strong ETag so pollers get a
 * 304 while nothing changed.
 */
@ApiTags('gbfs')
@Public()
@Controller('gbfs')
export class GbfsController {
  constructor(private readonly gbfs: GbfsService) {}

  @Get('gbfs.json')
  @ApiOperation({ summary: 'GBFS auto-discovery: links to every published file' })
  @ApiProduces('application/json')
  async discovery(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send('gbfs', req, res);
  }

  @Get(':feed.json')
  @ApiOperation({ summary: `One GBFS v3.0 file: ${GBFS_FEEDS.join(', ')}` })
  @ApiProduces('application/json')
  async feed(@Param('feed') feed: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!isGbfsFeedName(feed)) {
      allowAnyOrigin(res); // so a browser can read the 404 body
      throw new DomainError('ROUTE_NOT_FOUND', `No existe el archivo GBFS ${feed}.json.`, { feeds: GBFS_FEEDS });
    }
    await this.send(feed, req, res);
  }

  private async send(name: GbfsFeedName, req: Request, res: Response): Promise<void> {
    allowAnyOrigin(res);
    sendGbfsFile(req, res, await this.gbfs.feed(name, requestBaseUrl(req)));
  }
}

/** Writes one GBFS file (any version) with its Cache-Control from `ttl` and a strong ETag. */
export function sendGbfsFile(req: Request, res: Response, file: { ttl: number }): void {
  const body = JSON.stringify(file);
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  res.setHeader('Cache-Control', `public, max-age=${file.ttl}`);
  res.setHeader('ETag', etag);
  if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type('application/json; charset=utf-8').send(body);
}

/** Journey planners fetch the feed from browsers; helmet's default CORP would block embedding. */
export function allowAnyOrigin(res: Response): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'ETag');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes do not matter. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
