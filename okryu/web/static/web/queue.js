// Refresh a self-refreshing list (the element #queue: the merchant's queue, the kitchen)
// every 10 s without reloading the page, so the screen does not flash.
// The page works without this: a <noscript> meta refresh reloads it instead.
// A page rendered at a form's URL (a refusal) names the list's own page in
// data-refresh-url, so the refresh never GETs the form's URL.
(function () {
  var list = document.getElementById("queue");
  if (!list || !window.fetch) return;
  setInterval(function () {
    if (document.hidden || list.contains(document.activeElement)) return;
    var url = new URL(list.dataset.refreshUrl || location.href, location.href);
    url.searchParams.set("partial", "1");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) list.innerHTML = html; })
      .catch(function () {});
  }, 10000);
})();
