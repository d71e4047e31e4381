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

// Parts marked data-live (with an id) are fetched again from the same page every data-live-every
// seconds and replaced, unless the reader is typing in them or the tab is hidden.
(function () {
  var parts = document.querySelectorAll("[data-live][id]");
  if (!parts.length || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(parts[0].getAttribute("data-live-every"), 10) || 15;
  function refresh() {
    if (document.hidden) { return; }
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
      .catch(function () {});
  }
  window.setInterval(refresh, seconds * 1000);
})();
