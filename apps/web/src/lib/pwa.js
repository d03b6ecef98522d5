// The installable app: registers the service worker (/sw.js, root scope) that keeps the app shell
// for an offline start. Service workers need a secure context (https, or localhost); on plain http
// the app works as before, only without the offline start.

/** Same-origin files of the shell this page has loaded (modules, styles, vendor builds, icons). */
function loadedShellUrls() {
  const urls = [`${location.origin}/`];
  for (const entry of performance.getEntriesByType('resource')) {
    const url = new URL(entry.name);
    if (url.origin === location.origin && /^\/(app|vendor)\//.test(url.pathname)) urls.push(url.href);
  }
  return urls;
}

export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return null;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
    const registration = await navigator.serviceWorker.ready;
    // The first visit loaded its modules before the worker existed: hand it the list to keep.
    registration.active?.postMessage({ type: 'cache-shell', urls: loadedShellUrls() });
    return registration;
  } catch (error) {
    console.warn('[pwa] service worker not registered', error);
    return null;
  }
}
