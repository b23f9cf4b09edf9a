// retrorun session player. Plain JavaScript, no framework, no inline handlers (the CSP forbids
// them). The whole session is in the page's data island (#session-data): the steps and the cue
// timeline compiled on the server, the one list every renderer plays. Nothing here invents a cue.
//
// Live mode: a clock (performance.now, pausable, `speed` times faster for tests and demos) walks
// the timeline; at each cue it chimes like the audio track (left low, right high, a new step
// rises, the end falls), speaks the words, vibrates and shows them in large type. The screen is
// kept awake while it runs.
// Track mode: the pre-rendered audio track plays in an <audio> element (fetched whole first, so
// going offline changes nothing) and the page follows its currentTime. It keeps playing with the
// screen locked.
// At the end, or on Finish, the page opens the log form filled in with the minutes done.
(function () {
  "use strict";

  var island = document.getElementById("session-data");
  var root = document.getElementById("player");
  if (!island || !root) {
    return;
  }
  var data = JSON.parse(island.textContent);
  var cues = data.timeline || [];
  var steps = data.steps || [];
  var starts = data.step_starts_s || [];
  var total = Number(data.duration_s) || 0;
  var speed = Math.max(1, Math.min(600, Number(data.speed) || 1));
  var chimes = data.chimes || { notes: {}, note_s: 0.12, last_note_s: 0.2, peak: 0.6 };

  // What the page said, for tests: headless browsers have no voices to listen to.
  var spoken = [];
  window.__retrorunSpoken = spoken;
  var vibrations = [];
  window.__retrorunVibrations = vibrations;

  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    start: $("start"),
    skip: $("skip"),
    finish: $("finish"),
    shoulder: $("shoulder"),
    shoulderText: $("shoulder-text"),
    cue: $("cue"),
    stepName: $("step-name"),
    stepLeft: $("step-left"),
    sessionLeft: $("session-left"),
    nextStep: $("next-step"),
    progress: $("progress"),
    steps: $("steps"),
    cueLog: $("cue-log"),
    status: $("player-status"),
    audio: $("track"),
  };

  var state = "ready"; // ready | running | paused | done
  var mode = "live"; // live | track
  var base = 0; // session seconds when the live clock last started or stopped
  var startedAt = 0; // performance.now() at that moment
  var nextCue = 0; // index of the next cue to give
  var audioContext = null;
  var wakeLock = null;
  var trackLoading = null; // promise: the track is in the <audio> element
  var trackReady = false;
  var frame = 0;
  var finishArmed = 0;
  var shown = {};

  var SIDE_WORDS = { left: "\u25C0 LEFT shoulder", right: "RIGHT shoulder \u25B6" };
  var SIDE_SHORT = { left: "\u25C0 LEFT", right: "RIGHT \u25B6" };
  var STALE_S = 3; // a cue this many seconds late is shown, not said (unless it is the latest)
  var VIBRATE = {
    left: [400],
    right: [100, 80, 100, 80, 100],
    step: [200, 100, 200],
    done: [600],
  };

  // --- time ------------------------------------------------------------------------------

  function position() {
    if (mode === "track") {
      return ui.audio.readyState > 0 ? ui.audio.currentTime : base;
    }
    if (state === "running") {
      return base + ((performance.now() - startedAt) / 1000) * speed;
    }
    return base;
  }

  function stepAt(seconds) {
    var index = 0;
    for (var i = 0; i < starts.length; i += 1) {
      if (starts[i] <= seconds) {
        index = i;
      }
    }
    return Math.min(index, Math.max(steps.length - 1, 0));
  }

  function clockText(seconds) {
    var s = Math.max(0, Math.ceil(seconds - 1e-6));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + rest : m + ":" + rest;
  }

  function firstCueFrom(seconds) {
    var i = 0;
    while (i < cues.length && cues[i].t_s < seconds) {
      i += 1;
    }
    return i;
  }

  // --- what the runner sees -------------------------------------------------------------

  function setText(element, key, text) {
    if (element && shown[key] !== text) {
      shown[key] = text;
      element.textContent = text;
    }
  }

  function render() {
    var now = Math.min(position(), total);
    var index = stepAt(now);
    var step = steps[index];
    if (step) {
      var end = (starts[index] || 0) + (step.duration_s || 0);
      setText(ui.stepName, "stepName", step.description);
      setText(ui.stepLeft, "stepLeft", clockText(end - now));
      var next = steps[index + 1];
      setText(ui.nextStep, "nextStep", next ? next.description : "the end");
    }
    setText(ui.sessionLeft, "sessionLeft", clockText(total - now));
    if (ui.progress) {
      ui.progress.value = now;
    }
    if (shown.stepIndex !== index && ui.steps) {
      shown.stepIndex = index;
      var items = ui.steps.children;
      for (var i = 0; i < items.length; i += 1) {
        if (i === index) {
          items[i].setAttribute("aria-current", "step");
        } else {
          items[i].removeAttribute("aria-current");
        }
        items[i].classList.toggle("done", i < index);
      }
    }
  }

  function showSide(side) {
    if (!ui.shoulder) {
      return;
    }
    ui.shoulder.setAttribute("data-side", side || "");
    ui.shoulderText.textContent = side ? SIDE_WORDS[side] : "Facing forward";
  }

  function status(text) {
    if (ui.status) {
      ui.status.textContent = text;
    }
  }

  function setState(next) {
    state = next;
    root.setAttribute("data-state", next);
    ui.start.textContent = next === "running" ? "Pause" : next === "paused" ? "Resume" : "Start";
    ui.start.disabled = next === "done";
    ui.skip.disabled = next !== "running" && next !== "paused";
  }

  // --- giving a cue ---------------------------------------------------------------------

  function chimeName(cue) {
    if (cue.kind === "shoulder") {
      return cue.side === "right" ? "right" : "left";
    }
    if (cue.kind === "step" || cue.kind === "done") {
      return cue.kind;
    }
    return "other";
  }

  function chime(name) {
    var notes = (chimes.notes || {})[name];
    if (!audioContext || !notes) {
      return;
    }
    try {
      var t = audioContext.currentTime + 0.01;
      notes.forEach(function (frequency, i) {
        var length = i === notes.length - 1 ? chimes.last_note_s : chimes.note_s;
        var oscillator = audioContext.createOscillator();
        var gain = audioContext.createGain();
        oscillator.type = "sine";
        oscillator.frequency.value = frequency;
        // As the track's bell: a 5 ms rise (no click), then a decay over a third of the note.
        gain.gain.setValueAtTime(0, t);
        gain.gain.linearRampToValueAtTime(chimes.peak, t + 0.005);
        gain.gain.setTargetAtTime(0, t + 0.005, length / 3);
        oscillator.connect(gain);
        gain.connect(audioContext.destination);
        oscillator.start(t);
        oscillator.stop(t + length);
        t += length;
      });
    } catch (error) {
      // No sound is no reason to stop guiding: the words and the screen still work.
    }
  }

  function speak(cue) {
    spoken.push({ t: cue.t_s, side: cue.side || "", text: cue.text, kind: cue.kind });
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
      return;
    }
    try {
      if (speed > 1) {
        window.speechSynthesis.cancel(); // sped up: always the current cue, not a backlog
      }
      var utterance = new window.SpeechSynthesisUtterance(cue.text);
      utterance.lang = document.documentElement.lang || "en";
      utterance.addEventListener("error", function () {}); // e.g. no voice: the text is shown
      window.speechSynthesis.speak(utterance);
    } catch (error) {
      // Speech is a help, not a requirement.
    }
  }

  function vibrate(cue) {
    var pattern = VIBRATE[chimeName(cue)];
    if (!pattern || typeof navigator.vibrate !== "function") {
      return;
    }
    try {
      if (navigator.vibrate(pattern)) {
        vibrations.push({ t: cue.t_s, pattern: pattern });
      }
    } catch (error) {
      // Some browsers refuse without a recent tap: fine.
    }
  }

  function logCue(cue) {
    if (!ui.cueLog) {
      return;
    }
    var item = document.createElement("li");
    item.setAttribute("data-side", cue.side || "");
    item.setAttribute("data-t", String(cue.t_s));
    item.setAttribute("data-kind", cue.kind);
    var time = document.createElement("span");
    time.className = "cue-time";
    time.textContent = clockText(cue.t_s);
    item.appendChild(time);
    if (cue.side) {
      var side = document.createElement("span");
      side.className = "cue-side";
      side.textContent = SIDE_SHORT[cue.side];
      item.appendChild(side);
    }
    item.appendChild(document.createTextNode(cue.text));
    ui.cueLog.appendChild(item);
  }

  function give(cue, live) {
    ui.cue.textContent = cue.text;
    ui.cue.setAttribute("data-side", cue.side || "");
    if (cue.side) {
      showSide(cue.side);
    } else if (cue.kind === "step") {
      showSide(""); // a forward step: no shoulder to look over
    } else if (cue.kind === "done") {
      showSide("");
      ui.shoulderText.textContent = "Done";
    }
    logCue(cue);
    if (live) {
      chime(chimeName(cue));
      speak(cue);
      vibrate(cue);
    }
  }

  function giveDue() {
    // Every cue whose time has come, in order. After a gap (the page was hidden, the phone
    // busy) the cues missed are shown and listed but not all said at once: only the latest.
    var now = position();
    var last = nextCue;
    while (last < cues.length && cues[last].t_s <= now + 1e-6) {
      last += 1;
    }
    for (; nextCue < last; nextCue += 1) {
      var cue = cues[nextCue];
      var lateSeconds = (now - cue.t_s) / speed;
      give(cue, mode === "live" && (nextCue === last - 1 || lateSeconds < STALE_S));
    }
  }

  function tick() {
    if (state === "running" || state === "paused") {
      giveDue();
    }
    render();
    if (state === "running" && mode === "live" && position() >= total) {
      end();
    }
  }

  function loop() {
    frame = 0;
    if (state !== "running") {
      return;
    }
    tick();
    frame = window.requestAnimationFrame(loop);
  }

  function startLoop() {
    if (!frame) {
      frame = window.requestAnimationFrame(loop);
    }
  }

  // Animation frames stop while the page is hidden; this keeps the cues going (more slowly).
  window.setInterval(function () {
    if (state === "running") {
      tick();
    }
  }, 250);

  // --- keeping the screen on ------------------------------------------------------------

  function lockScreen() {
    if (!navigator.wakeLock || wakeLock || document.visibilityState !== "visible") {
      return;
    }
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      lock.addEventListener("release", function () {
        if (wakeLock === lock) {
          wakeLock = null;
        }
      });
      if (state !== "running" || mode !== "live") {
        releaseScreen();
      }
    }).catch(function () {});
  }

  function releaseScreen() {
    if (wakeLock) {
      var lock = wakeLock;
      wakeLock = null;
      lock.release().catch(function () {});
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state === "running") {
      if (mode === "live") {
        lockScreen(); // the browser let go of it while the page was hidden
      }
      tick();
    }
  });

  // --- the audio track ------------------------------------------------------------------

  function loadTrack() {
    if (trackLoading) {
      return trackLoading;
    }
    status("Loading the audio track\u2026");
    trackLoading = fetch(data.urls.track, { credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (!response.ok || type.indexOf("audio/") !== 0) {
          throw new Error("the track did not come: " + response.status);
        }
        return response.blob();
      })
      .then(function (blob) {
        ui.audio.src = URL.createObjectURL(blob);
        trackReady = true;
        status("The audio track is ready. It keeps playing with the screen locked.");
      })
      .catch(function () {
        ui.audio.src = data.urls.track; // stream it instead
        trackReady = true;
        status("The track could not be loaded in advance: it will play from the network.");
      });
    return trackLoading;
  }

  function playTrack() {
    // Some phones play sound only from within the tap itself: when the track is already
    // there (it starts loading as Track is chosen), play it right away, not after a promise.
    if (trackReady) {
      playLoadedTrack();
    } else {
      loadTrack().then(playLoadedTrack);
    }
  }

  function playLoadedTrack() {
    if (state !== "running" || mode !== "track") {
      return;
    }
    try {
      if (Math.abs(ui.audio.currentTime - base) > 0.5) {
        ui.audio.currentTime = base;
      }
      ui.audio.playbackRate = Math.min(speed, 16);
    } catch (error) {
      // not seekable yet: it starts from the beginning
    }
    var playing = ui.audio.play();
    if (playing && playing.catch) {
      playing.catch(function () {
        setState("paused");
        status("The track did not start: press Resume.");
      });
    }
  }

  ui.audio.addEventListener("timeupdate", function () {
    if (mode === "track") {
      tick();
    }
  });
  // Paused or played from elsewhere (the lock screen, a headset, a call): follow it.
  ui.audio.addEventListener("pause", function () {
    if (mode === "track" && state === "running" && !ui.audio.ended) {
      base = ui.audio.currentTime;
      setState("paused");
      render();
    }
  });
  ui.audio.addEventListener("play", function () {
    if (mode === "track" && state === "paused") {
      setState("running");
      startLoop();
    }
  });
  ui.audio.addEventListener("ended", function () {
    if (mode === "track" && state === "running") {
      base = total;
      end();
    }
  });

  // --- start, pause, skip, finish --------------------------------------------------------

  function ensureAudioContext() {
    // Browsers start sound only from a tap: this runs inside the Start button's click.
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      if (!audioContext) {
        audioContext = new Context();
      }
      if (audioContext.state === "suspended") {
        audioContext.resume().catch(function () {});
      }
    } catch (error) {
      audioContext = null;
    }
  }

  function start() {
    if (state === "done") {
      return;
    }
    if (state === "ready") {
      nextCue = firstCueFrom(base);
      status("");
    }
    setState("running");
    if (mode === "live") {
      ensureAudioContext();
      startedAt = performance.now();
      lockScreen();
      tick(); // the first cue is spoken inside the tap, as browsers require
      startLoop();
    } else {
      playTrack();
      startLoop();
    }
    mediaSession("playing");
  }

  function pause() {
    if (state !== "running") {
      return;
    }
    base = Math.min(position(), total);
    if (mode === "track") {
      ui.audio.pause();
    }
    setState("paused");
    releaseScreen();
    render();
    mediaSession("paused");
  }

  function jumpTo(seconds) {
    base = seconds;
    startedAt = performance.now();
    if (mode === "track") {
      try {
        ui.audio.currentTime = seconds;
      } catch (error) {
        // not loaded yet: playTrack seeks when it is
      }
    }
    nextCue = firstCueFrom(seconds); // the cues in between are skipped, not said
    tick();
  }

  function skip() {
    if (state !== "running" && state !== "paused") {
      return;
    }
    var index = stepAt(position());
    if (index + 1 < steps.length) {
      jumpTo(starts[index + 1]);
    } else {
      finish(position());
    }
  }

  function minutesDone(seconds) {
    // Whole minutes, rounded; under half a minute counts as nothing to pre-fill.
    return seconds < 30 ? null : Math.max(1, Math.round(seconds / 60));
  }

  function logUrl(seconds) {
    var query = new URLSearchParams();
    var log = data.log || {};
    query.set("date", log.date || data.day);
    var minutes = minutesDone(seconds);
    if (minutes !== null) {
      query.set("minutes", String(minutes));
    }
    ["direction", "mode", "setting"].forEach(function (name) {
      if (log[name]) {
        query.set(name, log[name]);
      }
    });
    return "/log?" + query.toString();
  }

  function finish(seconds) {
    var done = Math.max(0, Math.min(seconds, total));
    if (mode === "track") {
      ui.audio.pause();
    }
    setState("done");
    releaseScreen();
    mediaSession("none");
    status("Session over: opening the log form\u2026");
    window.location.assign(logUrl(done));
  }

  function end() {
    // The natural end: let the closing words be heard, then open the log form.
    base = total;
    setState("done");
    releaseScreen();
    giveDue();
    render();
    status("Session done: opening the log form\u2026");
    var waited = 0;
    var wait = window.setInterval(function () {
      waited += 250;
      var talking = mode === "live" && "speechSynthesis" in window &&
        (window.speechSynthesis.speaking || window.speechSynthesis.pending);
      if ((!talking && waited >= 1000) || waited >= 10000) {
        window.clearInterval(wait);
        window.location.assign(logUrl(total));
      }
    }, 250);
  }

  function finishPressed() {
    if (state === "ready" || state === "done") {
      finish(0);
      return;
    }
    // Mid-session, a second tap confirms: a stray touch while moving must not end it.
    if (!finishArmed) {
      ui.finish.textContent = "Tap again to finish";
      ui.finish.classList.add("confirm");
      finishArmed = window.setTimeout(disarmFinish, 4000);
      return;
    }
    disarmFinish();
    finish(position());
  }

  function disarmFinish() {
    window.clearTimeout(finishArmed);
    finishArmed = 0;
    ui.finish.textContent = "Finish";
    ui.finish.classList.remove("confirm");
  }

  function switchMode(next) {
    if (next === mode) {
      return;
    }
    var wasRunning = state === "running";
    if (wasRunning) {
      pause();
    }
    base = Math.min(position(), total);
    mode = next;
    root.setAttribute("data-mode", next);
    if (next === "track") {
      releaseScreen();
      loadTrack();
    } else {
      ui.audio.pause();
      status(speechAvailable() ? "" : "This browser cannot speak: the cues are shown and chimed.");
    }
    if (wasRunning) {
      status("Switched: press Resume to go on.");
    }
    render();
  }

  function speechAvailable() {
    return "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";
  }

  // Lock-screen and headset buttons, where the browser offers them.
  function mediaSession(playback) {
    if (!("mediaSession" in navigator)) {
      return;
    }
    try {
      navigator.mediaSession.playbackState = playback;
    } catch (error) {
      // older browsers
    }
  }

  if ("mediaSession" in navigator) {
    try {
      if (typeof window.MediaMetadata === "function") {
        navigator.mediaSession.metadata = new window.MediaMetadata({
          title: data.title,
          artist: "retrorun",
          album: data.day,
        });
      }
      navigator.mediaSession.setActionHandler("play", start);
      navigator.mediaSession.setActionHandler("pause", pause);
    } catch (error) {
      // not every action is supported everywhere
    }
  }

  ui.start.addEventListener("click", function () {
    if (state === "running") {
      pause();
    } else {
      start();
    }
  });
  ui.skip.addEventListener("click", skip);
  ui.finish.addEventListener("click", finishPressed);
  Array.prototype.forEach.call(document.querySelectorAll("input[name=mode]"), function (input) {
    input.addEventListener("change", function () {
      if (input.checked) {
        switchMode(input.value);
      }
    });
  });

  // Make the log form open offline too: ask the service worker to keep a copy now.
  if ("serviceWorker" in navigator && data.urls && data.urls.log) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({ type: "keep", urls: [data.urls.log] });
      }
    }).catch(function () {});
  }

  window.__retrorunPlayer = {
    status: function () {
      return { state: state, mode: mode, position: position(), wakeLock: Boolean(wakeLock) };
    },
  };

  setState("ready");
  render();
})();
