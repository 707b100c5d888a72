/* Supervisor dashboard: pushed production events refresh what they are about, with no polling.
   An event naming a machine (state changed, count reported, operation moved, any mes.alert.*)
   re-fetches that machine's tile; an event about orders or operations re-fetches the orders and
   WIP panels. Fetches of one target are coalesced: one in flight, at most one more after it. */
(function () {
  "use strict";

  var PANEL_EVENTS = ["mes.work_order.", "mes.operation.", "mes.production."];
  var pending = {};

  function fetchText(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    });
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  // Run `load` for `key` now, or once more after the fetch in flight ends.
  function coalesce(key, load) {
    if (pending[key]) { pending[key] = "again"; return; }
    pending[key] = "busy";
    load().catch(function () {}).then(function () {
      var again = pending[key] === "again";
      delete pending[key];
      if (again) coalesce(key, load);
    });
  }

  function refreshTile(code) {
    var tile = document.getElementById("tile-" + code);
    if (!tile) return;
    coalesce("tile:" + code, function () {
      return fetchText(tile.dataset.tileUrl).then(function (html) {
        var fresh = fragment(html).firstElementChild;
        var current = document.getElementById("tile-" + code);
        if (fresh && current) {
          fresh.classList.add("changed");
          current.replaceWith(fresh);
          setTimeout(function () { fresh.classList.remove("changed"); }, 1500);
        }
      });
    });
  }

  function refreshPanels(board) {
    var box = document.getElementById("board-panels");
    if (!box || !board.dataset.panelsUrl) return;
    coalesce("panels", function () {
      return fetchText(board.dataset.panelsUrl).then(function (html) { box.replaceChildren(fragment(html)); });
    });
  }

  function onLive(board, message) {
    if (!message || !message.event) return;
    var data = message.data || {};
    if (typeof data.equipment === "string") refreshTile(data.equipment);
    if (PANEL_EVENTS.some(function (prefix) { return message.event.indexOf(prefix) === 0; })) refreshPanels(board);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (!board) return;
    board.addEventListener("live", function (event) { onLive(board, event.detail); });
  });
})();
