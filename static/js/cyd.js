// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // GOV.UK pattern: move focus to the error summary so screen readers announce it.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  // Stop a double tap on a submit button sending the form twice.
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("[data-prevent-double-click]");
    if (!button) { return; }
    if (button.dataset.submitted === "true") { event.preventDefault(); return; }
    button.dataset.submitted = "true";
    window.setTimeout(function () { button.dataset.submitted = "false"; }, 3000);
  });

  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });

  // A voting-code card's QR code opens the code page with the code after "#" (never sent to the server).
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input.input--code");
    var code = decodeURIComponent(window.location.hash.slice(1));
    if (input && !input.value && /^[A-Za-z2-9-]{8,20}$/.test(code)) { input.value = code; }
  });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.detail.target); });
})();
