// Signing out in this browser also drops the report drafts it keeps (report_draft.js): a draft may hold
// classified text, and the next person at this browser has no business with it.
(function () {
  "use strict";
  var PREFIX = "coordination.report-draft:";
  var form = document.querySelector("form[data-sign-out]");
  if (!form) return;
  form.addEventListener("submit", function () {
    try {
      var store = window.localStorage;
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && name.indexOf(PREFIX) === 0) store.removeItem(name);
      }
    } catch (error) {
      /* storage turned off: nothing kept */
    }
  });
})();
