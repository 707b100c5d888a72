/* The operator terminal's service worker (served at /mes/floor/sw.js with that scope). It keeps
   the last copy of every terminal page (the dispatch lists, the job screens) and of the static
   files they use, fetched fresh whenever the network answers. Reports are not replayed here: the
   page queues them with their idempotency key (mes-terminal.js) and sends them when back. */
var CACHE = "mes-terminal-v1";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.add(new Request(self.registration.scope, { credentials: "same-origin" })).catch(function () {});
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cacheable(request) {
  if (request.method !== "GET") return false;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return false;
  var scope = new URL(self.registration.scope).pathname;
  return url.pathname.indexOf(scope) === 0 || url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!cacheable(request)) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // Only good, final answers are kept: never a redirect to the sign-in page or an error.
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        if (hit) return hit;
        if (request.mode === "navigate") return caches.match(self.registration.scope);
        return Response.error();
      }).then(function (hit) {
        return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    })
  );
});
