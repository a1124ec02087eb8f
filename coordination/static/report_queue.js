// Sends the report form without losing it to a bad connection. Offline, or when the post gets no answer
// (the server may have stored the report or not), the report waits in this browser and is sent again when
// the connection returns: on the "online" event, every half minute, and on the next page opened. It is sent
// with its form's idempotency key, so a report that did arrive the first time is not stored twice. Only the
// person who posted it sends it: the queue is kept per person, and signing out drops it (sign_out.js).
// Files are not kept in the queue; the page says so. Also registers the service worker (sw.js).
(function () {
  "use strict";
  var script = document.currentScript;
  var owner = script.getAttribute("data-owner");
  var QUEUE = "coordination.report-queue:" + owner;
  var DRAFT_PREFIX = "coordination.report-draft:";
  var RETRY_MS = 30000; // also for a phone that says it is online while nothing gets through
  var REPORT_PAGE = /\/reports\/\d+$/;

  if ("serviceWorker" in navigator && script.getAttribute("data-worker")) {
    navigator.serviceWorker.register(script.getAttribute("data-worker")).catch(function () {
      /* no worker (private window, plain http): the queue works without it */
    });
  }

  var store;
  try {
    store = window.localStorage;
  } catch (error) {
    return; // storage turned off: the form posts as a plain form
  }

  function text(name) {
    return script.getAttribute("data-text-" + name);
  }

  function load() {
    try {
      return JSON.parse(store.getItem(QUEUE)) || [];
    } catch (error) {
      return [];
    }
  }

  function keep(queue) {
    if (queue.length) store.setItem(QUEUE, JSON.stringify(queue));
    else store.removeItem(QUEUE);
  }

  function dropDrafts(key) {
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (name && name.indexOf(DRAFT_PREFIX) === 0) {
        try {
          if (JSON.parse(store.getItem(name)).key === key) store.removeItem(name);
        } catch (error) {
          store.removeItem(name);
        }
      }
    }
  }

  var statusLine = null;

  function status(message, link, linkText) {
    if (!statusLine) {
      statusLine = document.createElement("p");
      statusLine.className = "flash info report-queue";
      statusLine.setAttribute("role", "status");
      var main = document.getElementById("content") || document.body;
      main.insertBefore(statusLine, main.firstChild);
    }
    statusLine.textContent = message;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link;
      anchor.textContent = linkText;
      statusLine.appendChild(document.createTextNode(" "));
      statusLine.appendChild(anchor);
    }
  }

  function showWaiting(queue) {
    var message = text("waiting");
    if (queue.some(function (entry) { return entry.filesLeft; })) message += " " + text("files-left");
    status(message);
  }

  function freshKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function csrfToken(entry) {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : entry.csrf;
  }

  function sendOne(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    if (csrfToken(entry)) body.append("csrf_token", csrfToken(entry));
    return fetch(entry.action, { method: "POST", body: body, credentials: "same-origin" });
  }

  function drop(key) {
    keep(
      load().filter(function (entry) {
        return entry.key !== key;
      })
    );
  }

  /** The server refused the waiting report (a changed form, an expired sign-in): it goes back to the
   * form as a draft, to be checked and sent again by its author. */
  function refuse(entry) {
    drop(entry.key);
    try {
      store.setItem(entry.draft, JSON.stringify({ key: entry.key, fields: entry.fields }));
    } catch (error) {
      /* storage full: the status below still says what happened */
    }
    status(text("refused"), entry.form, text("open-form"));
  }

  var sending = false;

  function sendWaiting() {
    var queue = load();
    if (sending || !queue.length || !navigator.onLine) return;
    sending = true;
    var entry = queue[0];
    sendOne(entry)
      .then(function (response) {
        sending = false;
        if (response.ok && response.redirected && REPORT_PAGE.test(new URL(response.url).pathname)) {
          drop(entry.key);
          dropDrafts(entry.key);
          status(text("sent"), response.url, text("open-report"));
          sendWaiting();
        } else if (response.status >= 500) {
          showWaiting(load());
        } else {
          refuse(entry);
          sendWaiting();
        }
      })
      .catch(function () {
        sending = false;
        showWaiting(load());
      });
  }

  var form = document.querySelector("form[data-report-queue]");
  if (form) {
    var keyField = form.elements.namedItem("idempotency_key");
    // a form opened from the worker's copy may carry the key of a report already waiting
    if (keyField && load().some(function (entry) { return entry.key === keyField.value; })) {
      keyField.value = freshKey();
    }
    form.addEventListener("submit", function (event) {
      var fields = [];
      var filesLeft = false;
      new FormData(form).forEach(function (value, name) {
        if (typeof value !== "string") filesLeft = filesLeft || value.size > 0;
        else if (name !== "csrf_token") fields.push([name, value]);
      });
      // Files cannot wait in the browser: online, a report with files goes as a plain post, so that a
      // refusal shows the server's page without uploading the files a second time.
      if (filesLeft && navigator.onLine) return;
      event.preventDefault();
      var entry = {
        key: keyField ? keyField.value : freshKey(),
        action: form.action,
        form: location.pathname + location.search,
        draft: DRAFT_PREFIX + form.getAttribute("data-draft-owner") + ":" + location.pathname + location.search,
        csrf: csrfToken({ csrf: "" }),
        fields: fields,
        filesLeft: filesLeft,
      };

      function wait() {
        var queue = load().filter(function (waiting) {
          return waiting.key !== entry.key;
        });
        queue.push(entry);
        keep(queue);
        dropDrafts(entry.key);
        form.reset();
        if (keyField) keyField.value = freshKey();
        showWaiting(queue);
      }

      if (!navigator.onLine) {
        wait();
        return;
      }
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          if (response.ok && response.redirected && REPORT_PAGE.test(new URL(response.url).pathname)) {
            // the answer was read here, so its "posted" notice comes along to the report page
            return response.text().then(function (html) {
              var page = new DOMParser().parseFromString(html, "text/html");
              var notices = Array.prototype.map.call(page.querySelectorAll(".flash"), function (notice) {
                return notice.textContent;
              });
              sessionStorage.setItem("coordination.report-posted", JSON.stringify(notices));
              dropDrafts(entry.key);
              location.assign(response.url);
            });
          }
          // refused input or a conflict: the plain post shows the server's page with its messages
          form.submit();
        })
        .catch(function () {
          if (button) button.disabled = false;
          wait();
        });
    });
  }

  try {
    var posted = JSON.parse(sessionStorage.getItem("coordination.report-posted"));
    sessionStorage.removeItem("coordination.report-posted");
    if (posted && posted.length) status(posted.join(" "));
  } catch (error) {
    /* nothing carried over */
  }

  if (load().length) {
    showWaiting(load());
    sendWaiting();
  }
  window.addEventListener("online", sendWaiting);
  window.setInterval(sendWaiting, RETRY_MS);
})();
