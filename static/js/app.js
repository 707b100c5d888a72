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
    var socket = new WebSocket(scheme + location.host + "/ws/live/");
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
        if (data.event.indexOf(el.dataset.live + ".") === 0) {
          el.dispatchEvent(new CustomEvent("live", { detail: data }));
          if (window.htmx && el.getAttribute("hx-get")) window.htmx.trigger(el, "live");
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
