// Okryu's offline helper: registers the service worker, says when a page came from the
// phone's copy ("연결 끊김", when it was saved, whether it is too old), gives a saved
// checkout form a fresh idempotency key, and shows the orders waiting to be sent and
// their outcomes. Every page works without it.
(function () {
  "use strict";
  var sw = navigator.serviceWorker;
  var banner = document.getElementById("offline");
  if (!sw || !banner || !window.indexedDB) return;
  var text = banner.dataset;
  var root = document.documentElement.dataset;
  var clock = new Intl.DateTimeFormat("ko", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Asia/Pyongyang"
  });
  function at(ms) { return clock.format(new Date(ms)); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function line(className, words) {
    var item = document.createElement("li");
    item.className = className;
    item.textContent = words;
    return item;
  }

  if (root.offlineSaved) {
    var saved = Number(root.offlineSaved);
    var stale = Date.now() - saved > Number(root.offlineLifetime) * 1000;
    banner.textContent = fill(text.saved, { time: at(saved) }) + (stale ? " " + text.stale : "");
    banner.hidden = false;
    // A saved form is a new intent each time it is shown, as a page from the server is.
    document.querySelectorAll('input[name="idempotency_key"]').forEach(function (input) {
      var bytes = crypto.getRandomValues(new Uint8Array(16));
      input.value = Array.prototype.map.call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      }).join("");
    });
  }
  if (/[?&]pin_again=1/.test(location.search)) {
    banner.textContent = text.pinAgain;
    banner.hidden = false;
    // A card checkout whose answer was lost may have been placed: the form sends its key
    // again (the server then shows that order instead of placing another), and the server
    // is asked what became of it as soon as it can be reached.
    var lost = /[?&]key=([0-9A-Za-z_-]{1,255})(&|$)/.exec(location.search);
    if (lost) {
      document.querySelectorAll('input[name="idempotency_key"]').forEach(function (input) {
        input.value = lost[1];
      });
      askOutcome(lost[1]);
      window.addEventListener("online", function () {
        clearTimeout(askAgain);
        askOutcome(lost[1]);
      });
    }
  }

  var askAgain = null;
  function askOutcome(key) {
    fetch("/orders/outcome/?idempotency_key=" + encodeURIComponent(key), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (asked) {
      if (asked.status === 404) {
        banner.textContent = text.notPlaced;
        return;
      }
      if (!asked.ok) throw new Error("no answer yet");
      return asked.json().then(function (answer) {
        var order = answer.order;
        banner.textContent = fill(text.placed, {
          number: order.number, time: at(Date.parse(order.placed_at))
        }) + " ";
        var link = document.createElement("a");
        link.href = order.url;
        link.textContent = text.view;
        banner.appendChild(link);
        // Nothing is left to send: the form would only show that order again.
        document.querySelectorAll("form.checkout").forEach(function (form) { form.hidden = true; });
      });
    }).catch(function () {
      clearTimeout(askAgain);
      askAgain = setTimeout(function () { askOutcome(key); }, 4000);
    });
  }

  // A basket edit kept on the phone is listed by what it was: the product and quantity.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!/\/basket\//.test(form.action || "")) return;
    var row = form.closest("tr");
    var name = row ? row.querySelector("a") : document.querySelector("main h1");
    var quantity = form.querySelector('[name="quantity"]');
    var label = form.querySelector('[name="offline_label"]') || document.createElement("input");
    label.type = "hidden";
    label.name = "offline_label";
    label.value = (name ? name.textContent.trim() : "") + (quantity ? " × " + quantity.value : "");
    form.appendChild(label);
  });

  sw.register("/sw.js").catch(function () {});

  function queued() {
    return new Promise(function (resolve) {
      var open = indexedDB.open("okryu-offline", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("queue", { keyPath: "key" }); };
      open.onerror = function () { resolve([]); };
      open.onsuccess = function () {
        var request = open.result.transaction("queue").objectStore("queue").getAll();
        request.onsuccess = function () { open.result.close(); resolve(request.result); };
        request.onerror = function () { open.result.close(); resolve([]); };
      };
    });
  }

  var list = null;
  function show() {
    return queued().then(function (items) {
      var day = Date.now() - 86400000;
      items = items.filter(function (item) { return item.at > day; });
      items.sort(function (a, b) { return a.at - b.at; });
      if (!items.length) return items;
      if (!list) {
        list = document.createElement("ul");
        list.className = "messages queue";
        list.setAttribute("aria-live", "polite");
        var main = document.getElementById("main");
        main.insertBefore(list, main.firstChild);
      }
      list.replaceChildren.apply(list, items.map(function (item) {
        var words = item.kind === "basket"
          ? fill(text.basket, { time: at(item.at), what: item.label }) + " " +
            (item.state === "sending" ? text.basketWait
              : (item.state === "applied" ? text.applied : text.notApplied) + " " + item.reason)
          : item.state === "placed" ? fill(text.placed, { number: item.number, time: at(item.done) })
            : item.state === "refused" ? fill(text.refused, { time: at(item.at) }) + " " + item.reason
              : fill(text.sending, { time: at(item.at) });
        var entry = line(item.state, words);
        entry.dataset.key = item.key;
        if (item.order) {
          var link = document.createElement("a");
          link.href = item.order;
          link.textContent = " " + text.view;
          entry.appendChild(link);
        }
        return entry;
      }));
      return items;
    });
  }

  function flush() {
    if (sw.controller) sw.controller.postMessage("okryu-flush");
  }
  sw.addEventListener("message", function (event) {
    if (event.data === "okryu-queue") show();
  });
  window.addEventListener("online", flush);
  sw.ready.then(function () {
    show().then(function (items) {
      flush();
      // While something waits to be sent, try again every few seconds: the link comes and goes.
      setInterval(function () {
        show().then(function (now) {
          if (now.some(function (item) { return item.state === "sending"; })) flush();
        });
      }, 4000);
      return items;
    });
  });
})();
