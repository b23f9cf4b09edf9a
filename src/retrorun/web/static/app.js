// retrorun: the little JavaScript every page shares. Pages work without it; it only adds
// the service worker (so the app installs and today's session opens offline).
"use strict";
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
}
