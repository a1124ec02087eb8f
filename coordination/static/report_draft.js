// Keeps a draft of the report form in this browser while it is typed, so that a page that failed to post
// (and came back empty) or a closed browser loses nothing. The draft carries the form's idempotency key:
// posting a restored draft whose first post did reach the server stores no second report. The report
// page tells this script which key it was posted with, and that draft is dropped.
// A draft marked above unclassified, or for restricted distribution, is kept for this tab only
// (sessionStorage, gone when the tab closes), never in the browser's lasting storage.
(function () {
  "use strict";
  var PREFIX = "coordination.report-draft:";
  var SKIPPED = ["csrf_token"];

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage turned off: no drafts there
    }
  }

  var lasting = storage("localStorage");
  var tab = storage("sessionStorage");
  var stores = [lasting, tab].filter(Boolean);
  if (!stores.length) return;

  var posted = document.querySelector("[data-posted-draft]");
  if (posted) {
    var postedKey = posted.getAttribute("data-posted-draft");
    stores.forEach(function (store) {
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && name.indexOf(PREFIX) === 0) {
          try {
            if (JSON.parse(store.getItem(name)).key === postedKey) store.removeItem(name);
          } catch (error) {
            store.removeItem(name);
          }
        }
      }
    });
  }

  var form = document.querySelector("form[data-draft-owner]");
  if (!form) return;
  var draftName = PREFIX + form.getAttribute("data-draft-owner") + ":" + location.pathname + location.search;
  var notice = form.querySelector("[data-draft-notice]");
  var keyField = form.elements.namedItem("idempotency_key");
  var pageKey = keyField ? keyField.value : "";

  function typed() {
    return Boolean(form.elements.namedItem("title").value || form.elements.namedItem("body").value);
  }

  function classified() {
    var level = form.elements.namedItem("classification");
    var restricted = form.elements.namedItem("restricted_distribution");
    return Boolean((level && level.value && level.value !== "unclassified") || (restricted && restricted.checked));
  }

  function drop() {
    stores.forEach(function (store) {
      store.removeItem(draftName);
    });
  }

  function save() {
    var store = classified() ? tab : lasting || tab;
    stores.forEach(function (other) {
      if (other !== store) other.removeItem(draftName);
    });
    if (!store) return;
    if (!typed()) {
      store.removeItem(draftName);
      return;
    }
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      // files cannot be kept in a draft (nor put back into a file input)
      if (SKIPPED.indexOf(name) === -1 && typeof value === "string") fields.push([name, value]);
    });
    try {
      store.setItem(draftName, JSON.stringify({ key: keyField ? keyField.value : null, fields: fields }));
    } catch (error) {
      /* storage full: the form still works without a draft */
    }
  }

  function restore(draft) {
    var values = {};
    draft.fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || SKIPPED.indexOf(element.name) !== -1) return;
      var given = values[element.name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = given.indexOf(element.value) !== -1;
      } else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = given.indexOf(option.value) !== -1;
        });
      } else if (given.length) {
        element.value = given[0];
      }
    });
    notice.hidden = false;
  }

  function discard() {
    drop();
    form.reset();
    if (keyField) keyField.value = pageKey;
    notice.hidden = true;
    form.elements.namedItem("title").focus();
  }

  var saved = null;
  try {
    saved = JSON.parse((tab && tab.getItem(draftName)) || (lasting && lasting.getItem(draftName)));
  } catch (error) {
    drop();
  }
  // a page that came back with the server's values (refused input) keeps them, and they become the draft
  if (saved && saved.fields && !typed()) {
    restore(saved);
  } else {
    save();
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.querySelector("[data-draft-discard]").addEventListener("click", discard);
})();
