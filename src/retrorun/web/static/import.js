// Upload with a progress bar through the JSON API; the form still works without this script.
"use strict";
(function () {
  var form = document.getElementById("import-form");
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !meta || !window.XMLHttpRequest) return;

  function show(results) {
    var list = document.getElementById("import-results");
    if (!list) {
      list = document.createElement("ul");
      list.id = "import-results";
      list.className = "results";
      form.insertAdjacentElement("afterend", list);
    }
    list.textContent = "";
    results.forEach(function (r) {
      var item = document.createElement("li");
      item.className = r.status;
      var strong = document.createElement("strong");
      strong.textContent = r.status;
      item.appendChild(strong);
      item.appendChild(document.createTextNode(": " + r.path + (r.reason ? ": " + r.reason : "")));
      if (r.activity_id) {
        var link = document.createElement("a");
        link.href = "/activities/" + r.activity_id;
        link.textContent = "activity " + r.activity_id;
        item.appendChild(document.createTextNode(" ("));
        item.appendChild(link);
        item.appendChild(document.createTextNode(")"));
      }
      if (r.notes && r.notes.length) {
        var repaired = document.createElement("span");
        repaired.className = "hint";
        repaired.textContent = "Repaired while reading: " + r.notes.join("; ");
        item.appendChild(document.createElement("br"));
        item.appendChild(repaired);
      }
      list.appendChild(item);
    });
  }

  // An archive or a large upload is imported as a background job (the server decides the same).
  function inBackground(files) {
    var limit = Number(form.getAttribute("data-background-bytes")) || Infinity;
    var total = 0;
    for (var i = 0; i < files.length; i += 1) {
      if (/\.zip$/i.test(files[i].name)) return true;
      total += files[i].size;
    }
    return total > limit;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById("import-progress");
    var status = document.getElementById("import-status");
    var data = new FormData(form);
    data.delete("csrf_token");
    var background = inBackground(document.getElementById("f-files").files);
    var request = new XMLHttpRequest();
    request.open("POST", background ? "/api/v1/imports/jobs" : "/api/v1/imports");
    request.setRequestHeader("X-CSRF-Token", meta.content);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      bar.hidden = false;
      bar.value = Math.round((100 * e.loaded) / e.total);
      status.textContent = bar.value < 100 ? "Uploading… " + bar.value + " %" : "Importing…";
    });
    // The upload is over, whatever came of it: the bar goes, ready for the next files.
    function uploaded() {
      bar.hidden = true;
      bar.value = 0;
    }
    request.addEventListener("load", function () {
      uploaded();
      var body;
      try { body = JSON.parse(request.responseText); } catch (e) { body = null; }
      if (request.status === 202 && body && body.id) {
        status.textContent = "Uploaded: importing in the background…";
        window.location.assign("/jobs/" + body.id);
      } else if (request.status === 201 && Array.isArray(body)) {
        var imported = body.filter(function (r) { return r.status === "imported"; }).length;
        status.textContent = "Done: " + imported + " imported of " + body.length + ".";
        show(body);
      } else {
        status.textContent = (body && body.error) || "The import failed (" + request.status + ").";
      }
    });
    request.addEventListener("error", function () {
      uploaded();
      status.textContent = "The upload failed: check the connection and try again.";
    });
    request.send(data);
  });
})();
