/* The field app's service worker (scope /field/): the shell and the user's last lists kept so that
 * the app opens with no signal. Pages and lists: the network first, the copy when there is none;
 * the app's own files: the copy first. Sign-out deletes every cache (field.js). */
"use strict";
var CACHE = "grid-field-v1";
var SHELL = ["/field/", "/static/css/field.css", "/static/js/field.js", "/field/manifest.webmanifest",
  "/field/icon-192.png"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(response) {
  return response && response.status === 200 && !response.redirected && response.type === "basic";
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (kept(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreVary: true }).then(function (found) {
      return found || new Response(JSON.stringify({ offline: true }), { status: 503,
        headers: { "Content-Type": "application/json" } });
    });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (found) {
    var fresh = fetch(request).then(function (response) {
      if (kept(response)) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
    return found || fresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0 || /^\/field\/(icon-\d+\.png|manifest\.webmanifest)$/.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === "/field/" || url.pathname === "/field/today" || url.pathname === "/field/households") {
    event.respondWith(networkFirst(request));
  }
});
