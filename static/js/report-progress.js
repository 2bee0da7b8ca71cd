// The report progress page: ask the status endpoint every second until the document is
// rendered, then fetch it (the same download address, now served from the cache).
// Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box) { return; }
  var statusUrl = box.getAttribute("data-status-url");
  var downloadUrl = box.getAttribute("data-download-url");
  var state = box.querySelector(".progress-state");
  var bar = box.querySelector(".progress-bar");
  var tries = 0;

  function done(message) {
    if (bar) { bar.hidden = true; }
    state.textContent = message;
  }

  function poll() {
    tries += 1;
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state === "ready") {
          done(box.getAttribute("data-ready-text") || state.textContent);
          window.location.assign(downloadUrl);
        } else if (status.state === "failed") {
          done(status.message || box.getAttribute("data-failed-text"));
        } else {
          window.setTimeout(poll, tries < 30 ? 1000 : 3000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 500);
}());
