/* Schedule page: when the run panel says the search has ended, reload once to show the plan. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.target;
    if (!panel.hasAttribute || !panel.hasAttribute("data-reload-when-done")) return;
    var state = panel.querySelector("[data-run-state]");
    if (state && ["done", "stopped", "failed"].indexOf(state.getAttribute("data-run-state")) !== -1) {
      panel.removeAttribute("data-reload-when-done");
      window.location.reload();
    }
  });
})();
