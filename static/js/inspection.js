/* Inspection results entry (qms/inspect/task.html): flags a value as it is typed — not a number
   (a comma, a unit) or outside the specification limits — and points the number pad at the box
   being filled. The server checks everything again; this only tells the inspector early. */
(function () {
  "use strict";
  var NOTATION = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
  var form = document.querySelector("form[data-inspection]");
  if (!form) return;
  var pad = document.querySelector("[data-keypad-for]");
  var labels = {
    invalid: form.getAttribute("data-label-invalid"),
    low: form.getAttribute("data-label-low"),
    high: form.getAttribute("data-label-high"),
    ok: form.getAttribute("data-label-ok"),
    tooMany: form.getAttribute("data-label-too-many")
  };

  function show(input, state, text) {
    var box = input.closest(".insp-box");
    var flag = box && box.querySelector(".insp-flag");
    box.classList.remove("oos", "invalid", "in-spec");
    if (state) box.classList.add(state);
    if (flag) flag.textContent = text || "";
  }

  function check(input) {
    var text = input.value.trim();
    if (!text) return show(input, "", "");
    if (!NOTATION.test(text)) return show(input, "invalid", labels.invalid);
    var value = parseFloat(text);
    if (input.hasAttribute("data-count")) {
      var most = parseInt(input.getAttribute("data-max"), 10);
      if (text.indexOf(".") !== -1 || value < 0) return show(input, "invalid", labels.invalid);
      if (value > most) return show(input, "invalid", labels.tooMany);
      return show(input, value > 0 ? "oos" : "in-spec", "");
    }
    var lsl = input.getAttribute("data-lsl");
    var usl = input.getAttribute("data-usl");
    if (lsl !== null && value < parseFloat(lsl)) return show(input, "oos", labels.low);
    if (usl !== null && value > parseFloat(usl)) return show(input, "oos", labels.high);
    return show(input, "in-spec", labels.ok);
  }

  function boxes() {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-value], input[data-count]"));
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("input[data-value], input[data-count]")) check(event.target);
  });
  form.addEventListener("focusin", function (event) {
    var input = event.target;
    if (pad && input.matches("input[data-value], input[data-count]")) {
      pad.setAttribute("data-keypad-for", input.id);
      input.dataset.fresh = "0";
    }
  });
  // Enter moves to the next box (a gauge's foot switch or a scanner sends one); on the last it submits.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("input[data-value], input[data-count]")) return;
    var all = boxes();
    var next = all[all.indexOf(event.target) + 1];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
  // The number pad writes into the box without an input event: check after each key.
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-keypad-for] button[data-key]")) return;
    var input = document.getElementById(pad.getAttribute("data-keypad-for"));
    if (input) check(input);
  });
  var first = boxes()[0];
  if (pad && first && !pad.getAttribute("data-keypad-for")) pad.setAttribute("data-keypad-for", first.id);
  boxes().forEach(check);
})();
