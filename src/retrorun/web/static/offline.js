// retrorun offline log: a log form (form[data-offline-log]) is sent as JSON to POST /api/v1/logs;
// when the phone is offline it is kept on the phone and sent when the network is back.
//
// Each form view gets one random `client_ref` (put in the form's client_ref field if it has
// one, so a plain POST carries it too): the server treats the same client_ref as the same
// log, so sending it again (a retry, another tab flushing the same queue) never logs twice.
// The queue is sent on every page that loads this file, and on the `online` event, one log at a
// time; a log leaves the queue only once the server stored it (200/201) or refused it for good
// (400, 404, 409, 413, 422: said on the page). Anything else (no network, signed out, a 5xx, an
// answer that is not JSON such as a redirect to the sign-in page) leaves it queued.
// A queued log is sent by itself only in the browser session that queued it (the CSRF token it
// was made with), so on a shared phone one person's log never lands in another's account; logs
// from an earlier sign-in are listed on the log form, to send ("they are mine") or delete.
(function () {
  "use strict";

  var QUEUE_KEY = "retrorun.offline-logs.v1";
  var ENDPOINT = "/api/v1/logs";
  var SAVED_OFFLINE = "Saved on this phone; it will be sent when you are back online.";
  var RED_FLAG_OFFLINE = "You reported a red flag: it pauses your plan. See your clinician " +
    "(your physio or doctor) before you train again.";
  var FOR_GOOD = [400, 404, 409, 413, 422];
  var NUMBERS = ["minutes", "distance_km"];
  var INTEGERS = ["rpe", "pain_during", "pain_after", "pain_next_morning", "stumbles", "falls",
    "steadiness"];
  var TEXTS = ["date", "direction", "mode", "setting", "notes"];
  var PREFILL = ["date", "minutes", "direction", "mode", "setting"];
  var sending = false;

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function newRef() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes); // also on plain http, where randomUUID is missing
    return Array.prototype.map.call(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // --- where the person reads what happened ------------------------------------------------

  function statusElement(form) {
    var found = document.getElementById("offline-status");
    if (!found) {
      found = document.createElement("p");
      found.id = "offline-status";
      found.setAttribute("role", "status");
      found.className = "notice";
      var where = form || document.querySelector("main") || document.body;
      if (form && form.parentNode) {
        form.parentNode.insertBefore(found, form);
      } else {
        where.insertBefore(found, where.firstChild);
      }
    }
    return found;
  }

  function say(text, problem, form) {
    var element = statusElement(form);
    element.textContent = text;
    element.hidden = !text;
    element.classList.toggle("problem", Boolean(problem));
    element.classList.toggle("notice", !problem);
  }

  // --- the queue (localStorage: there on every page, synchronous, survives restarts) -------

  function readQueue() {
    try {
      var items = JSON.parse(window.localStorage.getItem(QUEUE_KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }

  function writeQueue(items) {
    try {
      if (items.length) {
        window.localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
      } else {
        window.localStorage.removeItem(QUEUE_KEY);
      }
      return true;
    } catch (error) {
      return false; // storage full or forbidden (private mode)
    }
  }

  function enqueue(body, token) {
    var items = readQueue().filter(function (item) {
      return item.body.client_ref !== body.client_ref; // the same form sent twice: once
    });
    items.push({ body: body, owner: token, queued_at: new Date().toISOString() });
    return writeQueue(items);
  }

  function dequeue(ref) {
    writeQueue(readQueue().filter(function (item) {
      return item.body.client_ref !== ref;
    }));
  }

  // --- the form as the API's JSON body -----------------------------------------------------

  function value(form, name) {
    var field = form.elements.namedItem(name);
    if (!field) {
      return undefined;
    }
    if (field.type === "checkbox") {
      return field.checked;
    }
    if (typeof field.value === "string") {
      return field.value; // inputs, selects, textareas and radio groups alike
    }
    return undefined;
  }

  function body(form) {
    var data = {};
    TEXTS.forEach(function (name) {
      var text = value(form, name);
      if (text !== undefined) {
        data[name] = name === "notes" ? String(text) : String(text).trim();
      }
    });
    NUMBERS.forEach(function (name) {
      var text = value(form, name);
      if (text !== undefined) {
        var number = String(text).trim() === "" ? null : Number(String(text).replace(",", "."));
        data[name] = number === null || isFinite(number) ? number : null;
      }
    });
    INTEGERS.forEach(function (name) {
      var text = value(form, name);
      if (text !== undefined) {
        data[name] = String(text).trim() === "" ? null : parseInt(String(text), 10);
        if (data[name] !== null && !isFinite(data[name])) {
          data[name] = null;
        }
      }
    });
    var partner = form.elements.namedItem("with_partner");
    data.with_partner = Boolean(partner && partner.checked);
    data.red_flags = Array.prototype.filter.call(
      form.querySelectorAll("input[name=red_flags]"), function (box) { return box.checked; }
    ).map(function (box) { return box.value; });
    if (!data.notes) {
      data.notes = "";
    }
    data.client_ref = form.getAttribute("data-client-ref");
    return data;
  }

  // --- sending ---------------------------------------------------------------------------

  // One try: "stored" (200/201 with JSON), "refused" (a 4xx that can never succeed), or
  // "later" (offline, signed out, a 5xx, a redirect or other non-JSON answer).
  function send(payload, token) {
    return fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": token,
      },
      body: JSON.stringify(payload),
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (response.type === "opaqueredirect") {
        return { outcome: "later", status: response.status, signIn: true }; // to the sign-in page
      }
      if (type.indexOf("application/json") < 0) {
        return { outcome: "later", status: response.status };
      }
      return response.json().then(function (answer) {
        if (response.status === 200 || response.status === 201) {
          return { outcome: "stored", status: response.status, answer: answer };
        }
        if (FOR_GOOD.indexOf(response.status) >= 0) {
          return { outcome: "refused", status: response.status, answer: answer };
        }
        return { outcome: "later", status: response.status, answer: answer };
      }, function () {
        return { outcome: "later", status: response.status };
      });
    }, function () {
      return { outcome: "later", status: 0 };
    });
  }

  function reason(result) {
    var answer = result.answer || {};
    var text = answer.error || answer.detail || "";
    return typeof text === "string" && text ? text : "the server refused it (" + result.status + ")";
  }

  // Logs queued under an earlier sign-in (it ended, or someone else used this phone) are sent
  // only if the person says so here, on a page that has #offline-status.
  function offerEarlier(token) {
    var anchor = document.getElementById("offline-status");
    var earlier = readQueue().filter(function (item) {
      return item.owner !== token;
    });
    var box = document.getElementById("offline-earlier");
    if (!earlier.length || !anchor || !token) {
      if (box) {
        box.remove();
      }
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "offline-earlier";
      box.className = "notice";
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    }
    box.textContent = "";
    var text = document.createElement("p");
    text.textContent = (earlier.length === 1 ? "1 log" : earlier.length + " logs") +
      " saved on this phone under an earlier sign-in (" + earlier.map(function (item) {
        return item.body.date;
      }).join(", ") + ") " + (earlier.length === 1 ? "was" : "were") + " not sent. " +
      "Send " + (earlier.length === 1 ? "it" : "them") + " only if " +
      (earlier.length === 1 ? "it is" : "they are") + " yours.";
    var actions = document.createElement("div");
    actions.className = "actions";
    var send = document.createElement("button");
    send.type = "button";
    var one = earlier.length === 1;
    send.textContent = one ? "It is mine: send it" : "They are mine: send them";
    send.addEventListener("click", function () {
      writeQueue(readQueue().map(function (item) {
        item.owner = token;
        return item;
      }));
      box.remove();
      flush();
    });
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "secondary";
    drop.textContent = one ? "Delete it from this phone" : "Delete them from this phone";
    drop.addEventListener("click", function () {
      writeQueue(readQueue().filter(function (item) {
        return item.owner === token;
      }));
      box.remove();
    });
    actions.appendChild(send);
    actions.appendChild(drop);
    box.appendChild(text);
    box.appendChild(actions);
  }

  // Send every queued log of this browser session, one by one; resolves when done or stopped.
  function flush() {
    var token = csrfToken();
    offerEarlier(token);
    if (sending || !token || navigator.onLine === false) {
      return Promise.resolve();
    }
    var mine = readQueue().filter(function (item) {
      return item.owner === token;
    });
    if (!mine.length) {
      return Promise.resolve();
    }
    sending = true;
    var sent = 0;
    var refused = [];
    var next = function (index) {
      if (index >= mine.length) {
        return Promise.resolve(true);
      }
      var item = mine[index];
      return send(item.body, token).then(function (result) {
        if (result.outcome === "later") {
          return false; // the network or the session is not there yet: try again later
        }
        dequeue(item.body.client_ref);
        if (result.outcome === "stored") {
          sent += 1;
        } else {
          refused.push(item.body.date + ": " + reason(result));
        }
        return next(index + 1);
      });
    };
    return next(0).then(function (finished) {
      sending = false;
      var left = readQueue().filter(function (item) {
        return item.owner === token;
      }).length;
      var parts = [];
      if (sent) {
        parts.push(sent === 1 ? "The log saved on this phone has been sent." :
          sent + " logs saved on this phone have been sent.");
      }
      if (refused.length) {
        parts.push("Not sent, and removed from this phone: " + refused.join("; ") + ".");
      }
      if (left && !finished) {
        parts.push(left === 1 ? "1 log is still waiting on this phone; it will be sent later." :
          left + " logs are still waiting on this phone; they will be sent later.");
      }
      if (parts.length) {
        say(parts.join(" "), refused.length > 0);
      }
      document.dispatchEvent(new CustomEvent("retrorun:offline-flushed", {
        detail: { sent: sent, refused: refused.length, waiting: left },
      }));
    });
  }

  // --- the form ------------------------------------------------------------------------------

  function pristine(field) {
    // As the page came, not changed by the person (nor by the browser restoring a draft).
    if (field.options) {
      var chosen = Array.prototype.filter.call(field.options, function (option) {
        return option.defaultSelected;
      });
      return field.value === (chosen.length ? chosen[0].value : field.options.length ?
        field.options[0].value : "");
    }
    return field.value === field.defaultValue;
  }

  function prefill(form) {
    // Offline, the log form may be a copy kept from another visit (the service worker answers
    // /log?date=…&minutes=… with the copy of /log?date=…): fill it from this URL, as the server
    // would have. A field the person already changed is left alone.
    var query = new URLSearchParams(window.location.search);
    PREFILL.forEach(function (name) {
      var wanted = query.get(name);
      var field = form.elements.namedItem(name);
      if (wanted === null || !field || typeof field.value !== "string" ||
        field.type === "checkbox" || field.value === wanted || !pristine(field)) {
        return;
      }
      var before = field.value;
      field.value = wanted;
      if (field.value !== wanted) {
        field.value = before; // not one of its choices, or not a valid date: keep what was there
      }
    });
  }

  function queueIt(form, payload, token, why) {
    if (enqueue(payload, token)) {
      say(why || SAVED_OFFLINE, false, form);
      form.setAttribute("data-offline-queued", "true");
    } else {
      say("This phone could not keep the log (its storage is full or blocked): " +
        "write it down and log it later.", true, form);
    }
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline-log]")) {
      return;
    }
    if (!form.checkValidity()) {
      return; // let the browser say what is missing
    }
    event.preventDefault();
    var payload = body(form);
    var token = csrfToken();
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])");
    var enable = function (on) {
      Array.prototype.forEach.call(buttons, function (button) {
        button.disabled = !on;
      });
    };
    if (navigator.onLine === false) {
      queueIt(form, payload, token, payload.red_flags.length ? SAVED_OFFLINE + " " +
        RED_FLAG_OFFLINE : undefined);
      return;
    }
    enable(false);
    send(payload, token).then(function (result) {
      enable(true);
      if (result.outcome === "stored") {
        dequeue(payload.client_ref);
        var flags = (result.answer && result.answer.red_flags) || [];
        // The history says what the red flags mean, as after a plain form post.
        window.location.assign("/history?logged=1" +
          (flags.length ? "&red_flags=" + flags.map(encodeURIComponent).join(",") : ""));
      } else if (result.outcome === "refused") {
        say(reason(result), true, form);
      } else if (result.signIn || result.status === 401 || result.status === 403) {
        queueIt(form, payload, token, "Saved on this phone, not sent: your sign-in has ended " +
          "or this form is too old. Sign in again and open the log form to send it.");
      } else if (result.status === 0) {
        queueIt(form, payload, token);
      } else {
        queueIt(form, payload, token, "Saved on this phone: the server could not take it now " +
          "(" + result.status + "); it will be sent later.");
      }
    });
  }

  function setUp() {
    var forms = document.querySelectorAll("form[data-offline-log]");
    Array.prototype.forEach.call(forms, function (form) {
      // The form's own client_ref field (so a plain POST carries it too), or a new one.
      var field = form.elements.namedItem("client_ref");
      var ref = (field && field.value) || form.getAttribute("data-client-ref") || newRef();
      form.setAttribute("data-client-ref", ref);
      if (field && typeof field.value === "string") {
        field.value = ref;
      }
      prefill(form);
    });
    document.addEventListener("submit", onSubmit);
    window.addEventListener("online", function () {
      flush();
    });
    flush();
  }

  window.__retrorunOffline = { flush: flush, queue: readQueue };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
