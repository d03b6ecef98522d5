import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** A URL prefix served from a folder on disk. */
export interface StaticMount {
  prefix: string;
  root: string;
  /** Cache-Control max-age in seconds; 0 means "revalidate every time" (ETag still saves the body). */
  maxAgeSeconds: number;
}

/** A single file served at a fixed root path (the service worker and the PWA manifest). */
export interface RootFile {
  file: string;
  contentType: string;
  /** Extra headers (Service-Worker-Allowed). Always `Cache-Control: no-cache`: a new worker must be seen at once. */
  headers?: Record<string, string>;
}

export interface WebAssets {
  indexFile: string;
  mounts: StaticMount[];
  /** Exact path → file, e.g. `/sw.js`: a service worker's scope is its own folder, so it lives at the root. */
  rootFiles?: Record<string, RootFile>;
}

/** Paths the web app never answers, whatever the request: they belong to the API and its neighbours. */
export const RESERVED_PREFIXES = ['/api', '/gbfs', '/health', '/socket.io'] as const;

/**
 * Where the static web app and the browser builds of its libraries live. The app is plain ES
 * modules (no build step), so it is served from `apps/web/` of the checkout or image; vendor files
 * come straight from node_modules (Leaflet, Chart.js, socket.io client), never from a CDN, because
 * the CSP allows scripts from 'self' only. Looked up from the working directory upwards, so `node
 * dist/apps/api/src/main.js`, the container (`/app`) and the test runner all find the same files.
 */
export function locateWebAssets(start: string = process.cwd()): WebAssets | null {
  const root = findUp(start, (dir) => existsSync(join(dir, 'apps', 'web', 'index.html')));
  if (!root) return null;
  const requireFromRoot = createRequire(join(root, 'package.json'));
  // Node's own lookup path (node_modules folders upwards), without resolving an entry point:
  // some packages (chart.js) do not export their package.json.
  const packageDir = (name: string): string | null => {
    for (const dir of requireFromRoot.resolve.paths(name) ?? []) {
      if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
    }
    return null;
  };
  const web = join(root, 'apps', 'web');
  const mounts: StaticMount[] = [{ prefix: '/app/', root: join(web, 'src'), maxAgeSeconds: 0 }];
  const vendor: Array<[string, string, string]> = [
    ['/vendor/leaflet/', 'leaflet', 'dist'],
    ['/vendor/chart.js/', 'chart.js', 'dist'],
    ['/vendor/socket.io/', 'socket.io-client', 'dist'],
    // IndexedDB with promises: the operator's actions queued while the tablet is offline.
    ['/vendor/idb/', 'idb', 'build'],
  ];
  for (const [prefix, pkg, sub] of vendor) {
    const dir = packageDir(pkg);
    if (dir) mounts.push({ prefix, root: join(dir, sub), maxAgeSeconds: 3600 });
  }
  const rootFiles: Record<string, RootFile> = {
    '/sw.js': {
      file: join(web, 'sw.js'),
      contentType: 'text/javascript; charset=utf-8',
      headers: { 'Service-Worker-Allowed': '/' },
    },
    '/manifest.webmanifest': { file: join(web, 'manifest.webmanifest'), contentType: 'application/manifest+json' },
  };
  return { indexFile: join(web, 'index.html'), mounts, rootFiles };
}

/**
 * One express handler, installed after the API's routes so that every controller, Swagger, GBFS and
 * health route wins: `/` and `/index.html` give the app shell, the mounts give files, and any other
 * GET that a browser makes for a page (Accept: text/html, no file extension, not a reserved prefix)
 * falls back to the shell so deep links such as `/staff` work. Everything else goes on to the
 * API's JSON 404.
 */
export function webAssetsHandler(assets: WebAssets): RequestHandler {
  const sendIndex = (res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(assets.indexFile, { dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) next();
    });
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = req.path;
    if (RESERVED_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return next();
    if (path === '/' || path === '/index.html') return sendIndex(res, next);
    const rootFile = assets.rootFiles?.[path];
    if (rootFile) {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Type', rootFile.contentType);
      for (const [name, value] of Object.entries(rootFile.headers ?? {})) res.setHeader(name, value);
      res.sendFile(rootFile.file, { dotfiles: 'deny', cacheControl: false }, (err) => {
        if (err && !res.headersSent) next();
      });
      return;
    }
    const mount = assets.mounts.find((m) => path.startsWith(m.prefix));
    if (mount) {
      const file = path.slice(mount.prefix.length);
      if (!file || file.endsWith('/')) return next();
      res.sendFile(
        file,
        { root: mount.root, dotfiles: 'deny', maxAge: mount.maxAgeSeconds * 1000, immutable: false },
        (err) => {
          if (err && !res.headersSent) next();
        },
      );
      return;
    }
    if (!extname(path) && wantsHtml(req)) return sendIndex(res, next);
    next();
  };
}

function wantsHtml(req: Request): boolean {
  return (req.headers.accept ?? '').includes('text/html') && req.accepts(['json', 'html']) === 'html';
}

function findUp(start: string, found: (dir: string) => boolean): string | null {
  let dir = resolve(start);
  for (;;) {
    if (found(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
