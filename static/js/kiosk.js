// Kiosk mode (docs/events.md), loaded only on a kiosk's pages. The server enforces the same idle
// limit, so this file makes the kiosk friendlier, not safer: without it, a ballot left alone is
// discarded at the next request, and the page returns to the start by itself (<noscript> refresh).
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.dataset.kioskIdle) { return; }

  // Back and Forward can restore a page from the browser's memory without asking the server:
  // fetch it afresh, so that the server decides what the next person sees.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  var start = body.dataset.kioskStart;
  var idle = Number(body.dataset.kioskIdle) * 1000;
  var warnAt = Number(body.dataset.kioskWarn) * 1000;
  var reset = document.getElementById("kiosk-reset");  // there while someone is voting
  var dialog = document.getElementById("kiosk-idle");
  var carryOn = document.getElementById("kiosk-idle-continue");
  var timers = [];

  function later(work, ms) { timers.push(window.setTimeout(work, Math.max(0, ms))); }
  function clearTimers() { timers.forEach(window.clearTimeout); timers = []; }
  function toStart() { if (reset) { reset.submit(); } else { window.location.replace(start); } }

  // The thank-you screen goes back to the start by itself; someone copying the receipt may ask for longer.
  var countdown = document.querySelector("[data-kiosk-return]");
  if (countdown) {
    var more = document.querySelector("[data-kiosk-more]");
    later(toStart, Number(countdown.dataset.kioskReturn) * 1000);
    if (more) {
      more.hidden = false;
      more.addEventListener("click", function () {
        clearTimers();
        later(toStart, 60000);
        countdown.textContent = countdown.dataset.kioskLonger;
        more.hidden = true;
      });
    }
    return;
  }

  if (!reset) {
    // Nobody's ballot is on the screen: clear a half-typed code or PIN once the screen is left alone.
    var quiet = function () {
      clearTimers();
      later(function () {
        var typed = Array.prototype.some.call(document.querySelectorAll("input:not([type=hidden])"),
          function (input) { return input.value; });
        if (typed || document.querySelector(".error-summary") || window.location.pathname !== start) { toStart(); }
      }, idle);
    };
    ["pointerdown", "keydown", "input"].forEach(function (name) {
      document.addEventListener(name, quiet, {passive: true, capture: true});
    });
    quiet();
    return;
  }

  // Someone is voting. The server measures idleness between requests, so the timers run from the
  // moment the server last heard from this page: the page always warns, and resets, first.
  var contact = Date.now();

  function warn() {
    if (!dialog || dialog.open) { return; }
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    if (carryOn) { carryOn.focus(); }
  }

  function schedule() {
    clearTimers();
    var gone = Date.now() - contact;
    if (dialog) { later(warn, warnAt - gone); }
    later(toStart, idle - gone);
  }

  // The timers restart only when the server has heard from the page: offline, a touch does not
  // hold the ballot past the server's own limit, so the page still warns and resets first.
  var asked = 0;
  function tellServer() {
    if (!window.fetch) { return; }
    var sent = asked = Date.now();
    fetch(body.dataset.kioskAlive, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (response.redirected) { window.location.replace(start); return; }  // the server had already reset it
      contact = sent;
      schedule();
    }, function () { /* offline: the timers run on from the last contact */ });
  }

  function answered() {
    if (dialog && dialog.open) {
      if (typeof dialog.close === "function") { dialog.close(); } else { dialog.removeAttribute("open"); }
    }
    tellServer();
  }

  if (carryOn) { carryOn.addEventListener("click", answered); }
  if (dialog) { dialog.addEventListener("cancel", function (event) { event.preventDefault(); answered(); }); }
  ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (dialog && dialog.open) { return; }  // only the button (or Escape) answers the warning
      if (Date.now() - asked >= 5000) { tellServer(); }  // at most one request every 5 seconds
    }, {passive: true, capture: true});
  });
  // The ballot's htmx requests (the meter) reach the server too.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) { contact = Date.now(); schedule(); }
  });
  // A tablet that slept may have missed its timers.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - contact >= idle) { toStart(); }
  });
  schedule();
})();
