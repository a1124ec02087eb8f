// Suggests places of the gazetteer as a place is typed in the report form: asks the server (the country
// chosen, else the posting mission's host country) and fills the field's <datalist>. Without it the form
// still works: the server resolves the typed name when the report is posted.
(function () {
  "use strict";
  var input = document.querySelector("[data-place-url]");
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute("list"));
  var form = input.form;
  var timer = null;
  var asked = "";

  function value(name) {
    var field = form.elements.namedItem(name);
    return field ? field.value : "";
  }

  function suggest() {
    var text = input.value.trim();
    var query = "country=" + encodeURIComponent(value("country_code")) +
      "&mission=" + encodeURIComponent(value("mission_code")) + "&q=" + encodeURIComponent(text);
    if (text.length < 2 || query === asked) return;
    asked = query;
    fetch(input.getAttribute("data-place-url") + "?" + query, {
      credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || query !== asked) return;
        list.textContent = "";
        data.places.forEach(function (place) {
          var option = document.createElement("option");
          option.value = place.label;
          if (place.latitude !== null) {
            option.textContent = place.label + " (" + place.latitude.toFixed(2) + ", " +
              place.longitude.toFixed(2) + ")";
          }
          list.appendChild(option);
        });
      })
      .catch(function () { /* offline: no suggestions, the server resolves the name on posting */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 250);
  });
})();
