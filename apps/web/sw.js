// The service worker: keeps the app shell (the page, its modules, styles and vendor builds) so a
// station tablet can start the app without network, and the operator's queued actions
// (src/lib/pending-actions.js) can wait for the network there. It never touches the API's data:
// /api, /gbfs, /health and /socket.io always go to the network as if there were no worker, so a
// cached answer can never pass for the station's live state.
//
// Served at /sw.js (root scope) with `Cache-Control: no-cache` (apps/api/src/web/web-assets.ts):
// a new version is seen at the next visit. Bump SHELL_VERSION to drop every cached file at once.
const SHELL_VERSION = 'v1';
const CACHE = `metrobici-shell-${SHELL_VERSION}`;
const NEVER = ['/api/', '/gbfs/', '/health', '/socket.io/'];
/** The minimum to start offline; the rest of the modules are added as the page loads them. */
const CORE = [
  '/',
  '/app/main.js',
  '/app/styles.css',
  '/app/icon.svg',
  '/manifest.webmanifest',
  '/vendor/leaflet/leaflet.js',
  '/vendor/leaflet/leaflet.css',
  '/vendor/socket.io/socket.io.esm.min.js',
  '/vendor/idb/index.js',
];
/** How long a page or module may wait for the network before the cached copy is used (mobile data). */
const NETWORK_WAIT_MS = 4000;

self.addEventListener('install', (event) => {
  // One missing file (a vendor package not installed) must not stop the worker from installing.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all(CORE.map((url) => cache.add(url).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith('metrobici-shell-') && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

/** The page tells the worker which shell files it loaded before the worker was in control. */
self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'cache-shell' || !Array.isArray(data.urls)) return;
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        data.urls
          .filter((url) => isShell(new URL(url, self.location.origin)))
          .map(async (url) => {
            if (!(await cache.match(url))) await cache.add(url).catch(() => undefined);
          }),
      ),
    ),
  );
});

function isShell(url) {
  if (url.origin !== self.location.origin) return false;
  if (NEVER.some((p) => url.pathname === p.replace(/\/$/, '') || url.pathname.startsWith(p))) return false;
  return (
    url.pathname === '/' ||
    url.pathname === '/index.html' ||
    url.pathname === '/manifest.webmanifest' ||
    url.pathname.startsWith('/app/') ||
    url.pathname.startsWith('/vendor/')
  );
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((p) => url.pathname === p.replace(/\/$/, '') || url.pathname.startsWith(p))) return;
  // Any page path (/, /staff, /recibo/…) is the same shell: the hash router does the rest.
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, '/'));
    return;
  }
  if (!isShell(url)) return;
  event.respondWith(networkFirst(request, url.pathname + url.search));
});

/**
 * The network's copy when it answers in time (and keep it), else the cached one; the network's
 * answer, even an error, when nothing is cached.
 */
async function networkFirst(request, cacheKey) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok && response.type === 'basic') await cache.put(cacheKey, response.clone());
    return response;
  });
  network.catch(() => undefined); // a late failure after the cached copy was served is not an error
  const cached = await cache.match(cacheKey, { ignoreVary: true });
  if (!cached) return network;
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), NETWORK_WAIT_MS));
  try {
    return (await Promise.race([network, timeout])) ?? cached;
  } catch {
    return cached;
  }
}
