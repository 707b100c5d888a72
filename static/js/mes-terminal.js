/* The operator terminal (mes/floor): its service worker, the run-time clock, the keypad that
   follows the focused field, FEFO suggestions, live counts over the websocket, and production
   reports that are queued in IndexedDB while the network is gone and sent when it is back.
   Each report carries its own idempotency key, so a resend is applied once. */
(function () {
  "use strict";
  var net = document.querySelector("[data-term-net]");

  // --- service worker (installable, works offline) -------------------------------------
  if (net && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(net.getAttribute("data-sw"), { scope: net.getAttribute("data-scope") })
      .catch(function () { /* not served over a secure origin: the terminal still works online */ });
  }

  // --- run-time clock, from the server's figure -----------------------------------------
  var timer = document.querySelector("[data-timer]");
  if (timer) {
    var base = parseFloat(timer.getAttribute("data-run-seconds")) || 0;
    var running = timer.getAttribute("data-running") === "1";
    var loaded = Date.now();
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var show = function () {
      var seconds = Math.floor(base + (running ? (Date.now() - loaded) / 1000 : 0));
      timer.textContent = Math.floor(seconds / 3600) + ":" + two(Math.floor(seconds / 60) % 60) + ":" + two(seconds % 60);
    };
    show();
    if (running) window.setInterval(show, 1000);
  }

  // --- one keypad for every quantity field: it types into the field last touched ----------
  var pad = document.querySelector(".term-pad [data-keypad-for]");
  if (pad) {
    document.querySelectorAll("input.keypad-target").forEach(function (input) {
      input.addEventListener("focus", function () { pad.setAttribute("data-keypad-for", input.id); });
      input.addEventListener("pointerdown", function () { pad.setAttribute("data-keypad-for", input.id); });
    });
  }

  // --- FEFO suggestions fill the lot and the bin --------------------------------------------
  document.addEventListener("click", function (event) {
    var chip = event.target.closest && event.target.closest("[data-suggest-lot]");
    if (!chip) return;
    var form = document.querySelector("form[data-report]");
    form.elements.lot.value = chip.getAttribute("data-suggest-lot");
    form.elements.bin.value = chip.getAttribute("data-suggest-bin");
    var consumed = form.elements.consumed;
    consumed.focus();
    if (pad) pad.setAttribute("data-keypad-for", consumed.id);
  });

  // --- the queue of reports made offline -----------------------------------------------------
  var DB = "mes-terminal", STORE = "reports";
  function withStore(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "key" }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var tx = open.result.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      };
    });
  }
  function queue(entry) { return withStore("readwrite", function (s) { return s.put(entry); }); }
  function unqueue(key) { return withStore("readwrite", function (s) { return s.delete(key); }); }
  function waiting() { return withStore("readonly", function (s) { return s.getAll(); }); }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function showNet(offline, count) {
    if (!net) return;
    net.hidden = !offline && !count;
    net.classList.toggle("offline", offline);
    net.querySelector("[data-term-net-state]").textContent = offline ? net.getAttribute("data-offline-label") : "";
    net.querySelector("[data-term-waiting]").textContent = count
      ? net.getAttribute("data-waiting-label").replace("{n}", count) : "";
  }
  function refresh(offline) {
    return waiting().then(function (items) { showNet(offline, items.length); return items; });
  }

  function send(entry) {
    var body = new URLSearchParams(entry.body);
    body.set("csrfmiddlewaretoken", csrfToken());
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
  }

  var flushing = false;
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    return waiting().then(function (items) {
      var chain = Promise.resolve(false);
      items.forEach(function (entry) {
        chain = chain.then(function (failed) {
          if (failed) return true;
          return send(entry).then(function (response) {
            if (response.status >= 500 || response.status === 403) return true;  // try again later
            return response.json().then(function (data) {
              if (data.ok) updateCounts(data);
              else report(entry.label + ": " + flatErrors(data.errors), true);
              return unqueue(entry.key).then(function () { return false; });
            });
          }, function () { return true; });
        });
      });
      return chain.then(function (failed) {
        flushing = false;
        return refresh(failed || !navigator.onLine).then(function (left) {
          if (!failed && items.length && !left.length && net) report(net.getAttribute("data-sent-label"), false);
        });
      });
    }, function () { flushing = false; });
  }

  var result = document.querySelector("[data-report-result]");
  function report(message, bad) {
    if (!result) return;
    result.textContent = message;
    result.classList.toggle("bad", !!bad);
  }
  function flatErrors(errors) {
    var out = [];
    Object.keys(errors || {}).forEach(function (name) { out = out.concat(errors[name]); });
    return out.join(" ");
  }
  function updateCounts(data) {
    var good = document.querySelector("[data-count-good]"), scrap = document.querySelector("[data-count-scrap]");
    var job = document.querySelector("[data-job]");
    if (!job || (data.operation && String(data.operation) !== job.getAttribute("data-operation"))) return;
    if (good && data.good !== undefined) good.textContent = data.good;
    if (scrap && data.scrap !== undefined) scrap.textContent = data.scrap;
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  var form = document.querySelector("form[data-report]");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.elements.idempotency_key.value = newKey();
      var fields = new FormData(form), body = {};
      fields.forEach(function (value, name) { if (name !== "csrfmiddlewaretoken") body[name] = value; });
      var entry = {
        key: body.idempotency_key,
        url: form.action,
        body: body,
        label: (body.good || "0") + " / " + (body.scrap || "0"),
        made: new Date().toISOString(),
      };
      var clear = function () {
        ["good", "scrap", "lot", "bin", "consumed"].forEach(function (name) { form.elements[name].value = ""; });
        form.querySelectorAll("input[name=scrap_reason]").forEach(function (r) { r.checked = false; });
      };
      send(entry).then(function (response) {
        if (response.status >= 500 || response.status === 403) throw new Error("later");
        return response.json().then(function (data) {
          if (data.ok) { updateCounts(data); report(data.message, false); clear(); }
          else report(flatErrors(data.errors), true);
          refresh(false);
        });
      }).catch(function () {
        queue(entry).then(function () {
          report(form.getAttribute("data-queued-label"), false);
          clear();
          refresh(true);
        });
      });
    });
  }

  if (net && window.indexedDB) {
    window.addEventListener("online", flush);
    window.addEventListener("offline", function () { refresh(true); });
    refresh(!navigator.onLine).then(function (items) { if (items.length && navigator.onLine) flush(); });
    window.setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  }

  // --- live counts: the equipment's production reports pushed over the websocket ----------
  var job = document.querySelector("[data-job]");
  if (job && window.WebSocket) {
    var url = document.body.getAttribute("data-live-url") ||
      (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live/";
    var connect = function () {
      var socket = new WebSocket(url);
      socket.onopen = function () { socket.send(JSON.stringify({ subscribe: "mes", site: job.getAttribute("data-site") })); };
      socket.onmessage = function (message) {
        var event = JSON.parse(message.data);
        if (event.event !== "mes.production.reported" || !event.data) return;
        if (String(event.data.operation) !== job.getAttribute("data-operation")) return;
        updateCounts({ good: trim(event.data.operation_good), scrap: trim(event.data.operation_scrap) });
      };
      socket.onclose = function () { window.setTimeout(connect, 5000); };
    };
    var trim = function (text) { return String(text).indexOf(".") >= 0 ? String(text).replace(/\.?0+$/, "") : String(text); };
    connect();
  }
})();
