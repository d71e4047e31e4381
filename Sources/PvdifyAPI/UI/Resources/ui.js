// Live views of the Admin UI: every page works without this file; it adds the live log view and
// refreshes the parts of a page marked data-live (apps, an app's status) in place.
"use strict";
(function () {
  var view = document.getElementById("live-log");
  if (!view || !window.EventSource) { return; }
  var maxLines = 500;
  var stream = view.getAttribute("data-stream");
  var filter = document.getElementById("log-process");
  var source = null;

  function open(process) {
    if (source) { source.close(); }
    view.textContent = "";
    source = new EventSource(process ? stream + "?process=" + encodeURIComponent(process) : stream);
    source.onmessage = function (event) {
      var line;
      try {
        var entry = JSON.parse(event.data);
        line = entry.timestamp + " " + entry.process + " " + entry.message;
      } catch (error) {
        line = event.data;
      }
      view.appendChild(document.createTextNode(line + "\n"));
      while (view.childNodes.length > maxLines) { view.removeChild(view.firstChild); }
      view.scrollTop = view.scrollHeight;
    };
  }

  if (filter) {
    filter.addEventListener("change", function () { open(filter.value); });
  }
  open(filter ? filter.value : "");
})();

// Parts marked data-live (with an id) are fetched again from the same page and replaced when the
// server's status stream names an app they show (data-live-app; any app when it is absent), unless
// the reader is typing in them. Without EventSource, or when the stream keeps failing, they are
// fetched every 60 seconds instead.
(function () {
  var parts = document.querySelectorAll("[data-live][id]");
  if (!parts.length || !window.fetch || !window.DOMParser) { return; }
  var shown = parts[0].getAttribute("data-live-app");
  var fallbackSeconds = 60;
  var minGapMs = 2000;
  var running = false, again = false, stale = false, lastStart = 0, poll = null;

  function refresh() {
    if (document.hidden) { stale = true; return; }
    if (running) { again = true; return; }
    var wait = lastStart + minGapMs - Date.now();
    if (wait > 0) { running = true; window.setTimeout(function () { running = false; refresh(); }, wait); return; }
    running = true;
    lastStart = Date.now();
    fetch(window.location.href, { credentials: "same-origin", redirect: "manual" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        parts.forEach(function (part) {
          var replacement = fresh.getElementById(part.id);
          if (replacement && !part.contains(document.activeElement)) { part.innerHTML = replacement.innerHTML; }
        });
      })
      .catch(function () {})
      .then(function () {
        running = false;
        if (again) { again = false; refresh(); }
      });
  }

  function fallBack() {
    if (!poll) { poll = window.setInterval(refresh, fallbackSeconds * 1000); }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && stale) { stale = false; refresh(); }
  });

  if (!window.EventSource) { fallBack(); return; }
  var failures = 0, opened = false;
  var source = new EventSource("/ui/events");
  source.addEventListener("app", function (event) {
    var app = null;
    try { app = JSON.parse(event.data).app; } catch (error) { return; }
    if (!shown || app === shown) { refresh(); }
  });
  source.onopen = function () {
    // After a reconnect, changes made while the stream was down were not announced.
    if (opened && failures > 0) { refresh(); }
    opened = true;
    failures = 0;
  };
  source.onerror = function () {
    failures += 1;
    if (failures >= 3 || source.readyState === EventSource.CLOSED) {
      source.close();
      fallBack();
    }
  };
})();
