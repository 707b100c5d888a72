/* Small behaviours shared by every page: scanner input, live events, local times. */
(function () {
  "use strict";

  // Keyboard-wedge scanners type the code and Enter. In a form marked data-scan, Enter in a
  // scan field moves to the next field instead of submitting, unless it is the last one.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.matches || !field.matches("[data-scan] input")) return;
    var form = field.form;
    var inputs = Array.prototype.filter.call(form.querySelectorAll("input:not([type=hidden]), select"), function (el) {
      return !el.disabled && el.offsetParent !== null;
    });
    var next = inputs[inputs.indexOf(field) + 1];
    if (next && !field.hasAttribute("data-submit-on-enter")) {
      event.preventDefault();
      next.focus();
      if (next.select) next.select();
    }
  });

  // Live events: <div data-live="wms" data-site="P1"> reloads its htmx target when an event arrives.
  function connectLive() {
    var watchers = document.querySelectorAll("[data-live]");
    if (!watchers.length || !window.WebSocket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    // The live service (daphne) answers /ws/ on this host, unless LIVE_SOCKET_URL names another.
    var socket = new WebSocket(document.body.dataset.liveUrl || scheme + location.host + "/ws/live/");
    socket.addEventListener("open", function () {
      var seen = {};
      watchers.forEach(function (el) {
        var key = el.dataset.live + "@" + el.dataset.site;
        if (seen[key]) return;
        seen[key] = true;
        socket.send(JSON.stringify({ subscribe: el.dataset.live, site: el.dataset.site }));
      });
    });
    socket.addEventListener("message", function (message) {
      var data = JSON.parse(message.data);
      if (!data.event) return;
      watchers.forEach(function (el) {
        // A narrower topic ("mes.equipment.CNC01") receives its app's events: match on the app.
        if (data.event.indexOf(el.dataset.live.split(".")[0] + ".") === 0) {
          // One "live" event per element: htmx.trigger dispatches it (and fetches hx-get panels).
          if (window.htmx) window.htmx.trigger(el, "live", data);
          else el.dispatchEvent(new CustomEvent("live", { detail: data }));
        }
      });
    });
    socket.addEventListener("close", function () { setTimeout(connectLive, 5000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    connectLive();
    var autofocus = document.querySelector("[data-scan] input[autofocus]");
    if (autofocus) autofocus.focus();
  });
})();

/* Warehouse floor screens: on-screen keypad, keyboard toggle for scan fields, select on focus. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    // A tapped suggestion (a bin to put away into) fills its field, as a scan of it would.
    var fill = event.target.closest && event.target.closest("[data-fill-for]");
    if (fill) {
      var target = document.getElementById(fill.getAttribute("data-fill-for"));
      if (!target) return;
      target.value = fill.getAttribute("data-value");
      document.querySelectorAll('[data-fill-for="' + target.id + '"]').forEach(function (other) {
        other.setAttribute("aria-pressed", other === fill ? "true" : "false");
      });
      target.dispatchEvent(new Event("input", { bubbles: true }));
      var inputs = Array.prototype.filter.call(target.form.querySelectorAll("input:not([type=hidden])"), function (el) {
        return !el.disabled && el.offsetParent !== null;
      });
      var next = inputs[inputs.indexOf(target) + 1];
      if (next) { next.focus(); if (next.select) next.select(); }
      return;
    }
    var key = event.target.closest && event.target.closest("[data-keypad-for] button[data-key]");
    if (key) {
      var pad = key.closest("[data-keypad-for]");
      var input = document.getElementById(pad.getAttribute("data-keypad-for"));
      if (!input) return;
      var value = input.dataset.fresh === "1" ? "" : input.value;
      var k = key.getAttribute("data-key");
      if (k === "back") value = value.slice(0, -1);
      else if (k === "." && value.indexOf(".") !== -1) return;
      else value += k;
      input.value = value;
      input.dataset.fresh = "0";
      return;
    }
    var toggle = event.target.closest && event.target.closest("[data-keyboard-for]");
    if (toggle) {
      var field = document.getElementById(toggle.getAttribute("data-keyboard-for"));
      if (!field) return;
      var typing = field.getAttribute("inputmode") === "none";
      field.setAttribute("inputmode", typing ? "text" : "none");
      toggle.setAttribute("aria-pressed", typing ? "true" : "false");
      field.focus();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    // A prefilled keypad quantity is replaced by the first key pressed, not appended to.
    document.querySelectorAll("[data-keypad-for]").forEach(function (pad) {
      var input = document.getElementById(pad.getAttribute("data-keypad-for"));
      if (input && input.value) input.dataset.fresh = "1";
      if (input) input.addEventListener("input", function () { input.dataset.fresh = "0"; });
    });
    var focused = document.querySelector("[data-scan] input[autofocus]");
    if (focused && focused.select) focused.select();
  });
})();

/* Page behaviours declared in the markup, so that no page needs an inline script (the
   Content-Security-Policy allows scripts from our static files only):
   - <select data-autosubmit> submits its form when changed;
   - <form data-confirm="question"> asks before it is sent;
   - <button data-action="print|back"> prints the page or goes back;
   - <button data-add-line="prefix"> adds a row to the formset table data-formset="prefix";
   - <div data-plotly="id"> draws the plotly figure held in <script type="application/json" id="id">. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var action = event.target.closest && event.target.closest("[data-action]");
    if (action) {
      var name = action.getAttribute("data-action");
      if (name === "print") window.print();
      else if (name === "back") window.history.back();
      return;
    }
    var prefix = event.target.getAttribute && event.target.getAttribute("data-add-line");
    if (!prefix) return;
    var table = document.querySelector('[data-formset="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!table || !total) return;
    var index = parseInt(total.value, 10);
    var html = table.querySelector("template").innerHTML.replace(/__prefix__/g, index);
    table.tBodies[0].insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-plotly]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, { displaylogo: false, responsive: true });
    });
  });
})();
