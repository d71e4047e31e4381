// Live views of the Admin UI: every page works without this file; it only adds the log stream.
"use strict";
(function () {
  var view = document.getElementById("live-log");
  if (!view || !window.EventSource) { return; }
  var maxLines = 500;
  view.textContent = "";
  var source = new EventSource(view.getAttribute("data-stream"));
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
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED) { view.appendChild(document.createTextNode("(stream ended)\n")); }
  };
})();
