// retrorun: the little JavaScript every page shares. Pages work without it; it only adds
// the service worker (so the app installs and today's session opens offline) and the walk
// test's timer.
"use strict";
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
}

// The 3-metre backward walk test's timer (/steadiness): a countdown of three, "Go", then Stop
// at the line; the seconds from "Go" to Stop fill a form to save. The page works without it:
// the section stays hidden and a time is entered by hand.
(function () {
  var section = document.querySelector("[data-walk-timer]");
  if (!section) {
    return;
  }
  var COUNT_MS = 1000; // one a second, as `retrorun steadiness test` counts
  var display = document.getElementById("timer-display");
  var start = document.getElementById("timer-start");
  var stop = document.getElementById("timer-stop");
  var form = document.getElementById("timer-save");
  var seconds = document.getElementById("f-timed-seconds");
  var again = document.getElementById("timer-again");
  var goAt = null;
  var ticking = null;

  function show(element, on) {
    element.hidden = !on;
  }

  function ready() {
    window.clearTimeout(ticking);
    goAt = null;
    display.textContent = "Ready";
    show(start, true);
    show(stop, false);
    show(form, false);
    start.disabled = false;
  }

  function countdown(left) {
    if (left === 0) {
      goAt = performance.now();
      display.textContent = "Go";
      show(start, false);
      show(stop, true);
      stop.focus();
      if (navigator.vibrate) {
        navigator.vibrate(200);
      }
      return;
    }
    display.textContent = String(left);
    ticking = window.setTimeout(function () {
      countdown(left - 1);
    }, COUNT_MS);
  }

  start.addEventListener("click", function () {
    start.disabled = true;
    show(form, false);
    section.scrollIntoView({ block: "start" }); // the Stop button must be on the screen
    countdown(3);
  });

  stop.addEventListener("click", function () {
    if (goAt === null) {
      return;
    }
    var taken = Math.round((performance.now() - goAt) / 10) / 100;
    goAt = null;
    seconds.value = taken.toFixed(2);
    display.textContent = taken.toFixed(2) + " s";
    show(stop, false);
    show(form, true);
    form.querySelector("button[type=submit]").focus();
  });

  again.addEventListener("click", ready);
  show(section, true);
  ready();
})();
