// A background job's page: ask how far it has got every second; reload once it has finished,
// so the server renders the results. Without this script the page refreshes itself.
"use strict";
(function () {
  var box = document.getElementById("job");
  if (!box || !window.fetch) return;
  var address = "/api/v1/jobs/" + box.getAttribute("data-job") + box.getAttribute("data-query");
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var EVERY_MS = 1000;

  function show(job) {
    if (job.total_units) {
      bar.max = job.total_units;
      bar.value = job.done_units;
    }
    if (job.status === "running") {
      status.textContent = "Working: " + job.done_units +
        (job.total_units ? " of " + job.total_units : "") + " done.";
    }
  }

  function poll() {
    fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        show(job);
        window.setTimeout(poll, EVERY_MS);
      })
      .catch(function () {
        window.setTimeout(poll, 3 * EVERY_MS);  // offline for a moment: keep asking, slower
      });
  }

  window.setTimeout(poll, EVERY_MS);
})();
