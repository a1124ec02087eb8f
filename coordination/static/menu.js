// The header's menu button on a phone: the navigation and tools fold away behind it. Loaded right after
// the header (not deferred) so the folded header is the first one painted. Without this script the
// button stays hidden and the navigation stays open (app.css folds it only under .js-menu).
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-button]");
  if (!button) return;
  var header = button.closest("header");
  var menu = document.getElementById(button.getAttribute("aria-controls"));
  if (!header || !menu) return;
  header.classList.add("js-menu");

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
