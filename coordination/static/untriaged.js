// Keeps the header's count of untriaged early warnings current: asks the server once a minute (and when
// the tab comes back into view) and updates the badge in place.
(function () {
  "use strict";
  var link = document.querySelector("[data-untriaged-url]");
  if (!link) return;
  var badge = link.querySelector("[data-untriaged-count]");
  var url = link.getAttribute("data-untriaged-url");

  function refresh() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || data.count === null) return;
        badge.textContent = data.count + (data.count >= data.cap ? "+" : "");
        badge.hidden = data.count === 0;
      })
      .catch(function () { /* offline: keep the last count */ });
  }

  window.setInterval(refresh, 60000);
  document.addEventListener("visibilitychange", refresh);
  window.coordinationRefreshUntriaged = refresh;
})();
