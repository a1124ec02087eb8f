// Signing out in this browser also drops the report drafts it keeps (report_draft.js), the reports waiting
// to send (report_queue.js) and the report form the service worker keeps (sw.js): they may hold classified
// text, and the next person at this browser has no business with it.
(function () {
  "use strict";
  var PREFIXES = ["coordination.report-draft:", "coordination.report-queue:"];
  var form = document.querySelector("form[data-sign-out]");
  if (!form) return;
  form.addEventListener("submit", function () {
    ["localStorage", "sessionStorage"].forEach(function (kind) {
      try {
        var store = window[kind];
        for (var i = store.length - 1; i >= 0; i--) {
          var name = store.key(i);
          if (name && PREFIXES.some(function (prefix) { return name.indexOf(prefix) === 0; })) {
            store.removeItem(name);
          }
        }
      } catch (error) {
        /* storage turned off: nothing kept */
      }
    });
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("signed-out");
    }
  });
})();
