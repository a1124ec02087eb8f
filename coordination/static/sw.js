// The service worker of the installable app: it keeps the app shell (styles, scripts, icons) and the empty
// report form, so that the form opens on a phone that lost its connection; report_queue.js then keeps a
// report posted offline and sends it when the connection returns. Pages are always asked of the network
// first, and no page but the report form is kept: the others show what one signed-in person may see, and
// the next person at this browser has no business with them. Signing out drops the kept form.
"use strict";

var SHELL = "coordination-shell-v3";
var PAGES = "coordination-pages-v1";
var ROOT = new URL("./", self.location).href;
var REPORT_FORM = ROOT + "reports/new";
var SIGN_OUT = ROOT + "logout";
var SHELL_FILES = [
  "static/app.css",
  "static/print.css",
  "static/untriaged.js",
  "static/language.js",
  "static/sign_out.js",
  "static/report_draft.js",
  "static/report_queue.js",
  "static/menu.js",
  "static/tables.js",
  "static/place_suggest.js",
  "static/icon.svg",
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(SHELL)
      .then(function (cache) {
        return cache.addAll(
          SHELL_FILES.map(function (file) {
            return ROOT + file;
          })
        );
      })
      .then(keepReportForm)
      .then(function () {
        return self.skipWaiting();
      })
  );
});

/** The empty report form of the person signed in, for opening it offline (the worker is registered from
 * signed-in pages only). A failure here is no reason to refuse the worker. */
function keepReportForm() {
  return fetch(REPORT_FORM, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok || response.redirected) return;
      return caches.open(PAGES).then(function (cache) {
        return cache.put(REPORT_FORM, response);
      });
    })
    .catch(function () {});
}

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("coordination-") === 0 && name !== SHELL && name !== PAGES;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

self.addEventListener("message", function (event) {
  if (event.data === "signed-out") event.waitUntil(caches.delete(PAGES));
});

function networkFirst(request, cacheName, keep) {
  return fetch(request)
    .then(function (response) {
      if (keep(response)) {
        var copy = response.clone();
        caches.open(cacheName).then(function (cache) {
          cache.put(request, copy);
        });
      }
      return response;
    })
    .catch(function (error) {
      return caches.match(request, { cacheName: cacheName }).then(function (kept) {
        if (kept) return kept;
        throw error;
      });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method === "POST" && request.url === SIGN_OUT) {
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET" || request.url.indexOf(ROOT) !== 0) return;
  if (request.url.indexOf(ROOT + "static/") === 0) {
    event.respondWith(
      networkFirst(request, SHELL, function (response) {
        return response.ok;
      })
    );
  } else if (request.url === REPORT_FORM && request.mode === "navigate") {
    event.respondWith(
      networkFirst(request, PAGES, function (response) {
        // a signed-out browser is sent to the sign-in page: that answer is not the form
        return response.ok && !response.redirected;
      })
    );
  }
});
