// Okryu's service worker: the pages a shopper visited stay readable offline, and a checkout
// paid at the door that could not be sent is kept and sent when the link returns.
// Served at /sw.js (okryu.web.offline), which puts self.OKRYU = {release, lifetime} first.
// Pages are network first: a page from the cache is shown only when the network fails, so
// prices at checkout always come from the server while it can be reached, and the server
// refuses a price other than the one the shopper saw (409 price_changed). Cache names carry
// the release: a new release deletes every older cache when it activates.
"use strict";
var CONFIG = self.OKRYU;
var PAGES = "okryu-pages-" + CONFIG.release;
var STATIC = "okryu-static-" + CONFIG.release;
var QUEUE = "queue";
// Private or staff pages are never kept on the device.
var NOT_KEPT = /^\/(api|admin|accounts|teller|merchant|courier|logistics|kitchen|cards|pay|sw\.js)(\/|$)/;

// The basket's forms: add, change a quantity, remove a line.
var BASKET = /^\/basket\/(add\/|lines\/\d+\/(remove\/)?)$/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("okryu-") === 0 && name !== PAGES && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method === "POST") {
    if (url.pathname === "/checkout/") event.respondWith(checkout(request));
    else if (BASKET.test(url.pathname)) event.respondWith(basketEdit(request, url.pathname));
    else if (/^\/accounts\/(logout|login)\/$/.test(url.pathname)) {
      // Another person may sign in on this phone: nothing of the last one stays.
      event.respondWith(caches.delete(PAGES).then(function () { return fetch(request); }));
    }
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf("/static/") === 0) event.respondWith(staticFile(request));
  else if (request.mode === "navigate" && !NOT_KEPT.test(url.pathname)) event.respondWith(page(request));
  else if (request.mode === "navigate") {
    // Not kept, but a dropped link still says so in the site's words, not the browser's.
    event.respondWith(fetch(request).catch(notSaved));
  }
});

function staticFile(request) {
  // Static names carry a hash of their content: a cached one is never stale.
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (response.status === 200 && type.indexOf("text/html") === 0 && !response.redirected) {
      var copy = response.clone();
      copy.text().then(function (html) {
        var headers = new Headers(copy.headers);
        headers.set("X-Okryu-Saved", String(Date.now()));
        return caches.open(PAGES).then(function (cache) {
          return cache.put(request.url, new Response(html, { status: 200, headers: headers }));
        });
      }).catch(function () {});
    }
    return response;
  }).catch(function () { return savedPage(request.url); });
}

function savedPage(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(url).then(function (hit) {
      return hit || cache.match(url, { ignoreSearch: true });
    });
  }).then(function (hit) {
    if (!hit) return notSaved();
    var saved = hit.headers.get("X-Okryu-Saved") || "0";
    return hit.text().then(function (html) {
      // The helper script reads these to show when the page was saved and if it is too old.
      html = html.replace("<html ", '<html data-offline-saved="' + Number(saved) +
        '" data-offline-lifetime="' + Number(CONFIG.lifetime) + '" ');
      return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

// A page never saved on the phone, asked for with the link down: say so, in Korean and
// English (the worker does not know which the shopper reads), and lead to the pages the
// phone keeps.
function notSaved() {
  var html = '<!doctype html><html lang="ko"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>연결 끊김 · 옥류</title>" +
    '<link rel="stylesheet" href="' + CONFIG.stylesheet + '"></head><body>' +
    '<header class="top"><div class="bar"><a class="brand" href="/">옥류</a></div></header>' +
    '<p class="offline" role="status">연결 끊김</p><main id="main"><h1>연결 끊김</h1>' +
    "<p>이 쪽은 이 기기에 저장되지 않았습니다. 연결되면 다시 여십시오. " +
    "본 적이 있는 쪽은 연결 없이도 볼 수 있습니다.</p>" +
    '<p lang="en">Offline: this page is not saved on this phone. Open it again when the ' +
    "link is back. The pages you have seen can be read without a link.</p>" +
    '<ul class="plain"><li><a href="/">처음으로 (Home)</a></li>' +
    '<li><a href="/basket/">장바구니 (Basket)</a></li>' +
    '<li><a href="/orders/">내 주문 (My orders)</a></li></ul></main></body></html>';
  return new Response(html, {
    status: 503, headers: { "Content-Type": "text/html; charset=utf-8" }
  });
}

// A checkout is sent to the server; if the network fails, a door-paid one is queued with its
// idempotency key. A card checkout is never kept: it holds the PIN.
function checkout(request) {
  return request.clone().text().then(function (body) {
    return fetch(request).catch(function () {
      var form = new URLSearchParams(body);
      var key = form.get("idempotency_key") || "";
      if (!key) return Response.redirect("/checkout/?pin_again=1", 303);
      // A card checkout is not kept (it holds the PIN), but it may have reached the server
      // before the link dropped: the form shown again keeps its key and asks what became of
      // it, so sending it again cannot place a second order.
      if (form.get("payment") !== "door") {
        return Response.redirect("/checkout/?pin_again=1&key=" + encodeURIComponent(key), 303);
      }
      return put({ key: key, body: body, at: Date.now(), state: "sending" }).then(function () {
        if (self.registration.sync) self.registration.sync.register("okryu-queue").catch(function () {});
        // To a saved page that lists the queue: the orders, else the basket, else the form.
        return caches.open(PAGES).then(function (cache) {
          return Promise.all(["/orders/", "/basket/"].map(function (path) {
            return cache.match(new URL(path, location.origin).href);
          }));
        }).then(function (hits) {
          var path = hits[0] ? "/orders/" : hits[1] ? "/basket/" : "/checkout/";
          return Response.redirect(path + "?queued=" + encodeURIComponent(key), 303);
        });
      });
    });
  });
}

// A basket edit made offline is kept on the phone and sent, in order, when the link returns;
// the server applies its rules then (stock, limits, a closed merchant) and its words are
// shown as the edit's outcome.
function basketEdit(request, path) {
  return request.clone().text().then(function (body) {
    return fetch(request).catch(function () {
      var form = new URLSearchParams(body);
      var key = form.get("idempotency_key") || "basket-" + Date.now() + "-" + Math.random();
      var item = { key: key, kind: "basket", url: path, body: body, at: Date.now(),
        state: "sending", label: form.get("offline_label") || "" };
      return put(item).then(function () {
        if (self.registration.sync) self.registration.sync.register("okryu-queue").catch(function () {});
        return Response.redirect("/basket/?kept=" + encodeURIComponent(key), 303);
      });
    });
  });
}

function sendBasketEdit(item) {
  return fetch(item.url, {
    method: "POST", credentials: "same-origin", body: item.body,
    headers: { "Content-Type": "application/x-www-form-urlencoded" }
  }).then(function (response) {
    if (response.status >= 500) throw new Error("no answer yet");
    if (/\/accounts\/login\//.test(response.url)) throw new Error("not signed in");
    return response.text().then(function (html) {
      var words = [];
      var refused = response.status >= 400;
      var said = /<ul class="(?:messages|errorlist)"[^>]*>([\s\S]*?)<\/ul>/g;
      var found;
      while ((found = said.exec(html))) {
        if (/class="error"|errorlist/.test(found[0])) refused = true;
        words.push(found[1].replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim());
      }
      item.state = refused ? "refused" : "applied";
      item.reason = words.join(" ");
      item.done = Date.now();
      return put(item);
    });
  });
}

// The queue, in IndexedDB (it survives a restart of the phone), one row per key.
function db() {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("okryu-offline", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore(QUEUE, { keyPath: "key" }); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}

function store(mode, work) {
  return db().then(function (database) {
    return new Promise(function (resolve, reject) {
      var transaction = database.transaction(QUEUE, mode);
      var result = work(transaction.objectStore(QUEUE));
      transaction.oncomplete = function () { database.close(); resolve(result && result.result); };
      transaction.onerror = function () { database.close(); reject(transaction.error); };
    });
  });
}

function put(item) { return store("readwrite", function (queue) { queue.put(item); }); }
function all() { return store("readonly", function (queue) { return queue.getAll(); }); }

// Sends what is queued, one at a time and never twice at once. Each key first asks the
// server what became of it (the answer to an earlier try may have been lost) and is sent
// only if nothing was placed; the server's idempotency keeps even a resend to one order.
var flushing = null;
function flush() {
  if (!flushing) {
    flushing = flushQueue().then(function (left) { flushing = null; tell(); return left; },
      function (error) { flushing = null; tell(); throw error; });
  }
  return flushing;
}

function flushQueue() {
  return all().then(function (items) {
    var sending = items.filter(function (item) { return item.state === "sending"; });
    // In the order they were made: a quantity set after an add must come after it.
    sending.sort(function (a, b) { return a.at - b.at; });
    return sending.reduce(function (chain, item) {
      return chain.then(function () { return deliver(item); });
    }, Promise.resolve()).then(function () { return sending.length; });
  });
}

function deliver(item) {
  if (item.kind === "basket") return sendBasketEdit(item);
  return outcome(item).then(function (placed) {
    if (placed) return placed;
    return fetch("/checkout/", {
      method: "POST", credentials: "same-origin", body: item.body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (sent) {
      return sent.text().then(function (html) {
        return outcome(item).then(function (placed) {
          if (placed) return placed;
          if (sent.status < 400 || sent.status >= 500) throw new Error("no answer yet");
          // Refused: the page says why in its alert.
          var error = /role="alert">([\s\S]*?)<\/div>/.exec(html);
          item.state = "refused";
          item.reason = error ? error[1].replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim() : "";
          item.done = Date.now();
          return put(item);
        });
      });
    });
  });
}

// Asks the server what became of the item's key; records and answers the order if one was
// placed, answers nothing if none was, and fails while there is no clear answer.
function outcome(item) {
  return fetch("/orders/outcome/?kept=1&idempotency_key=" + encodeURIComponent(item.key), {
    credentials: "same-origin", headers: { Accept: "application/json" }
  }).then(function (asked) {
    if (asked.status === 404) return null;
    if (!asked.ok || (asked.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
      throw new Error("not signed in or server trouble");
    }
    return asked.json().then(function (answer) {
      item.state = "placed";
      item.order = answer.order.url;
      item.number = answer.order.number;
      item.done = Date.parse(answer.order.placed_at);
      return put(item).then(function () { return item; });
    });
  });
}

function tell() {
  return self.clients.matchAll().then(function (clients) {
    clients.forEach(function (client) { client.postMessage("okryu-queue"); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "okryu-queue") event.waitUntil(flush());
});

self.addEventListener("message", function (event) {
  if (event.data === "okryu-flush") event.waitUntil(flush().catch(function () {}));
});
