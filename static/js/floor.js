/* Shop-floor tablets: the idle sign-out countdown. The server signs an idle session out on its
   own (FLOOR_IDLE_SIGNOUT_SECONDS); this shows the time left, tells the server when the screen is
   touched (at most every 30 s), and signs out when the time is up. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-idle-seconds]");
  if (!bar) return;
  var limit = parseInt(bar.getAttribute("data-idle-seconds"), 10) * 1000;
  var shown = bar.querySelector("[data-idle-countdown]");
  var signOut = bar.querySelector("form[data-idle-signout]");
  var stillHere = bar.getAttribute("data-still-here");
  var label = bar.getAttribute("data-idle-label") || "{time}";
  var PING_EVERY = 30000;
  var SHOW_FROM = 60000;
  // The server's clock started when this page was served; it restarts at each ping.
  var lastSeen = Date.now();

  function touched() {
    if (Date.now() - lastSeen < PING_EVERY) return;
    lastSeen = Date.now();
    fetch(stillHere, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (response.status === 401) window.location.reload();
    });
  }

  function format(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var left = lastSeen + limit - Date.now();
    if (left <= 0) {
      signOut.submit();
      return;
    }
    shown.hidden = left > SHOW_FROM;
    shown.textContent = label.replace("{time}", format(left));
    window.setTimeout(tick, 1000);
  }

  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true });
  });
  tick();
})();
