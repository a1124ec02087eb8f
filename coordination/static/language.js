// The language picker in the header: choosing a language submits its form (without script, its
// <noscript> button does). A file rather than an onchange attribute: the Content-Security-Policy
// allows no inline event handlers.
(function () {
  "use strict";
  var picker = document.getElementById("locale");
  if (!picker || !picker.form) return;
  picker.addEventListener("change", function () { picker.form.submit(); });
})();
