// Live views of the Admin UI: every page works without this file; it only adds the live log view.
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
