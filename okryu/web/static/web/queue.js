// Refresh a self-refreshing list (the element #queue: the merchant's queue, the kitchen)
// every 10 s without reloading the page, so the screen does not flash.
// The page works without this: a <noscript> meta refresh reloads it instead.
(function () {
  var list = document.getElementById("queue");
  if (!list || !window.fetch) return;
  setInterval(function () {
    if (document.hidden || list.contains(document.activeElement)) return;
    var url = new URL(location.href);
    url.searchParams.set("partial", "1");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) list.innerHTML = html; })
      .catch(function () {});
  }, 10000);
})();
