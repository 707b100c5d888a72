/* Approvals: the top bar's badge and the inbox's cards follow live events; a card's Approve or
   Reject button opens its signature form (two taps plus the password). */
(function () {
  "use strict";

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

  function refreshBadge() {
    var badge = document.getElementById("approval-badge");
    if (!badge) return;
    fetchText(badge.dataset.badgeUrl).then(function (html) {
      var fresh = fragment(html).getElementById("approval-badge");
      if (fresh) badge.replaceWith(fresh);
    }).catch(function () {});
  }

  // New cards replace old ones, except a card the user is signing: it stays as typed, unless
  // the request was decided meanwhile (then the "taken" card replaces it).
  function refreshCards() {
    var box = document.getElementById("approval-cards");
    if (!box) return;
    fetchText(box.dataset.cardsUrl).then(function (html) {
      var fresh = fragment(html);
      fresh.querySelectorAll("[data-approval]").forEach(function (card) {
        var old = document.getElementById(card.id);
        if (old && old.classList.contains("editing") && card.dataset.status === old.dataset.status) {
          card.replaceWith(old);
        }
      });
      box.replaceChildren(fresh);
      if (window.htmx) window.htmx.process(box);
      updateSummary();
    }).catch(function () {});
  }

  function updateSummary() {
    var list = document.querySelector("#approval-cards [data-pending-total]");
    var summary = document.querySelector("[data-pending-summary]");
    if (list && summary) summary.textContent = summary.textContent.replace(/\d+/, list.dataset.pendingTotal);
  }

  function onLive(event) {
    var name = event.detail && event.detail.event;
    if (!name || name.indexOf("core.approval.") !== 0) return;
    refreshBadge();
    refreshCards();
  }

  function openForm(button) {
    var card = button.closest("[data-approval]");
    var form = card.querySelector("form.approval-sign");
    form.elements.decision.value = button.dataset.decide;
    form.elements.meaning.value = button.dataset.meaning;
    form.querySelector("[data-meaning-text]").textContent = button.dataset.meaningLabel;
    var submit = form.querySelector("[data-submit]");
    submit.textContent = button.dataset.submitLabel;
    submit.className = button.dataset.decide === "reject" ? "danger" : "primary";
    var required = button.hasAttribute("data-comment-required");
    form.elements.comment.required = required;
    form.querySelector("[data-comment-note]").hidden = !required;
    button.parentElement.hidden = true;
    form.hidden = false;
    card.classList.add("editing");
    (required ? form.elements.comment : form.elements.password).focus();
  }

  function closeForm(button) {
    var card = button.closest("[data-approval]");
    var form = card.querySelector("form.approval-sign");
    form.hidden = true;
    form.elements.password.value = "";
    card.querySelector(".approval-buttons").hidden = false;
    card.classList.remove("editing");
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-decide], [data-cancel]");
    if (!target || !target.closest("[data-approval]")) return;
    if (target.hasAttribute("data-decide")) openForm(target);
    else closeForm(target);
  });

  // After a decision the card is answered by the server; the badge follows.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.closest && event.target.closest("#approval-cards")) {
      refreshBadge();
      var field = event.target.querySelector && event.target.querySelector(".errorlist, .msg.error");
      if (field) {
        var password = event.target.querySelector("input[type=password]");
        if (password) password.focus();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-approvals-watch]").forEach(function (el) {
      el.addEventListener("live", onLive);
    });
    var hash = location.hash && document.getElementById(location.hash.slice(1));
    if (hash) hash.classList.add("linked");
  });
})();
