// retrorun service worker: the app installs, and the pages a person has opened open again offline
// (today's session, its player, the log form), so a session in a basement gym still works.
//
// - Static files: network first (a new version is seen at once), the precached copy offline.
// - Pages of the signed-in app: network first; each one fetched whole (200, not redirected) is
//   kept, so it opens offline later. Offline, the log form and a player opened with other query
//   parameters fall back to the copy kept without them (offline.js fills the form from the URL).
// - Never kept: the JSON API (/api/), anything but GET, account and sign-in pages. Signing in or
//   out, or landing on the sign-in page (a session that ended), clears the pages kept.
// Bump VERSION to throw every old cache away.
"use strict";

var VERSION = "v1";
var STATIC_CACHE = "retrorun-static-" + VERSION;
var PAGES_CACHE = "retrorun-pages-" + VERSION;
var MEDIA_CACHE = "retrorun-media-" + VERSION;
var PRECACHE = [
  "/static/app.css",
  "/static/app.js",
  "/static/player.css",
  "/static/player.js",
  "/static/offline.js",
  "/static/icon.svg",
  "/static/icon-192.png",
  "/static/icon-512.png",
  "/manifest.webmanifest",
];
// Pages worth having offline: the plan, today's session and its player, the log form, history.
var PAGE_PATHS = [/^\/$/, /^\/today\/?$/, /^\/plan\/?$/, /^\/sessions\/[^/]+(\/play)?\/?$/,
  /^\/log\/?$/, /^\/history\/?$/];
// Offline, these may be answered by the copy kept under another query string.
var LOOSE_QUERY = [/^\/log\/?$/, /^\/sessions\//];
var TRACK_PATH = /^\/sessions\/[^/]+\/cues\.(ogg|wav)$/;
var MAX_PAGES = 40;
var MAX_TRACKS = 3;
var NETWORK_WAIT_MS = 5000; // then a kept copy, if there is one, rather than a spinner

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      // One at a time and forgiving: a missing file must not stop the worker installing.
      return Promise.all(PRECACHE.map(function (url) {
        return cache.add(new Request(url, { cache: "reload" })).catch(function () {});
      }));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  var current = [STATIC_CACHE, PAGES_CACHE, MEDIA_CACHE];
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("retrorun-") === 0 && current.indexOf(name) < 0;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function matches(patterns, path) {
  return patterns.some(function (pattern) {
    return pattern.test(path);
  });
}

function forgetPages() {
  return Promise.all([caches.delete(PAGES_CACHE), caches.delete(MEDIA_CACHE)]);
}

function trim(cacheName, most) {
  return caches.open(cacheName).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.slice(0, Math.max(0, keys.length - most)).map(function (key) {
        return cache.delete(key);
      }));
    });
  });
}

function keepable(response, wantedType) {
  var type = response.headers.get("content-type") || "";
  return response.status === 200 && !response.redirected && response.type === "basic" &&
    type.indexOf(wantedType) === 0;
}

function keep(cacheName, request, response, most) {
  return caches.open(cacheName).then(function (cache) {
    return cache.delete(request).then(function () {
      return cache.put(request, response); // re-added: the newest comes last when trimming
    });
  }).then(function () {
    return trim(cacheName, most);
  });
}

function offlinePage() {
  var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>Offline \u00b7 retrorun</title><link rel=\"stylesheet\" href=\"/static/app.css\">" +
    "</head><body><main id=\"main\"><h1>You are offline</h1>" +
    "<p class=\"message\">This page was not opened on this phone before, so there is no copy " +
    "of it here. Pages you have opened (today's session, its player, the log form) work " +
    "offline.</p><p><a href=\"/today\">Today</a> \u00b7 <a href=\"/log\">Log a session</a></p>" +
    "</main></body></html>";
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

// The network's answer, or a kept copy when the network fails or is too slow.
function networkFirst(event, cacheName, fallback, onFresh) {
  var request = event.request;
  var fromNetwork = fetch(request).then(function (response) {
    if (onFresh) {
      event.waitUntil(onFresh(response.clone()));
    }
    return response;
  });
  var kept = function () {
    return caches.open(cacheName).then(function (cache) {
      return cache.match(request).then(function (found) {
        return found || (fallback ? fallback(cache) : undefined);
      });
    });
  };
  return new Promise(function (resolve, reject) {
    var settled = false;
    var timer = setTimeout(function () {
      kept().then(function (found) {
        if (found && !settled) {
          settled = true;
          resolve(found);
        }
      });
    }, NETWORK_WAIT_MS);
    fromNetwork.then(function (response) {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        resolve(response);
      }
    }, function (error) {
      clearTimeout(timer);
      kept().then(function (found) {
        if (settled) {
          return;
        }
        settled = true;
        if (found) {
          resolve(found);
        } else {
          reject(error);
        }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  var path = url.pathname;
  if (request.method !== "GET") {
    // Signing in or out: whatever was kept belonged to the session that ends.
    if (request.method === "POST" && (path === "/sign-out" || path === "/sign-in")) {
      event.waitUntil(forgetPages());
    }
    return; // never cached, never answered from a cache: the network or nothing
  }
  if (path.indexOf("/api/") === 0 || path === "/sw.js" || request.headers.has("range")) {
    return;
  }
  if (path.indexOf("/static/") === 0 || path === "/manifest.webmanifest") {
    event.respondWith(networkFirst(event, STATIC_CACHE, null, function (response) {
      if (response.status === 200 && response.type === "basic") {
        return caches.open(STATIC_CACHE).then(function (cache) {
          return cache.put(request, response);
        });
      }
      return Promise.resolve();
    }));
    return;
  }
  if (TRACK_PATH.test(path)) {
    event.respondWith(networkFirst(event, MEDIA_CACHE, null, function (response) {
      return keepable(response, "audio/") ?
        keep(MEDIA_CACHE, request, response, MAX_TRACKS) : Promise.resolve();
    }));
    return;
  }
  var isPage = request.mode === "navigate" ||
    (request.headers.get("accept") || "").indexOf("text/html") >= 0;
  if (isPage) {
    if (path === "/sign-in" || path === "/sign-up") {
      // Here only when signed out (or about to change who is signed in): keep nobody's pages.
      event.waitUntil(forgetPages());
      return;
    }
    if (!matches(PAGE_PATHS, path)) {
      return; // sign-in, account, import...: always fresh from the network
    }
    var loose = matches(LOOSE_QUERY, path);
    event.respondWith(
      networkFirst(event, PAGES_CACHE, function (cache) {
        return loose ? cache.match(request, { ignoreSearch: true }) : undefined;
      }, function (response) {
        if (keepable(response, "text/html")) {
          return keep(PAGES_CACHE, request, response, MAX_PAGES);
        }
        return Promise.resolve(); // a redirect (to sign in, say) or an error: not kept
      }).catch(function () {
        return offlinePage();
      })
    );
  }
});

// A page asks for copies of pages it will need offline (the player: its log form).
self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type !== "keep" || !Array.isArray(message.urls)) {
    return;
  }
  event.waitUntil(Promise.all(message.urls.slice(0, 5).map(function (href) {
    var url = new URL(href, self.location.origin);
    if (url.origin !== self.location.origin || !matches(PAGE_PATHS, url.pathname)) {
      return Promise.resolve();
    }
    var request = new Request(url.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    return fetch(request).then(function (response) {
      return keepable(response, "text/html") ?
        keep(PAGES_CACHE, request, response, MAX_PAGES) : undefined;
    }).catch(function () {});
  })));
});
