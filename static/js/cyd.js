// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // GOV.UK pattern: move focus to the error summary so screen readers announce it.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  // Stop a double tap sending a form twice (GOV.UK's prevent-double-click, on every form that
  // posts): a second press of the same button within 3 s does nothing. On slow data the first
  // press seems to do nothing, and a second would send the proposal or batch of codes again.
  // htmx sends its forms itself (its listener on the form runs first); their answers replace them.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") { return; }
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (!button) { return; }
    if (button.dataset.submitted === "true") { event.preventDefault(); return; }
    button.dataset.submitted = "true";
    window.setTimeout(function () { button.dataset.submitted = "false"; }, 3000);
  });
  window.addEventListener("pageshow", function (event) {  // back to a page the browser kept: press again
    if (!event.persisted) { return; }
    document.querySelectorAll("[data-submitted]").forEach(function (button) { button.dataset.submitted = "false"; });
  });

  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });

  // A voting-code card's QR code opens the code page with the code after "#" (never sent to the server).
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input.input--code");
    var code = decodeURIComponent(window.location.hash.slice(1));
    if (input && !input.value && /^[A-Za-z2-9-]{8,20}$/.test(code)) { input.value = code; }
  });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.detail.target); });

  // An htmx answer that replaces the button just pressed with a message (the questions after
  // voting, say) would leave focus nowhere, and a screen reader at the top of the page: focus goes
  // to the message. (Where no message came, focus is left alone: moving it would scroll the page.)
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if ((document.activeElement && document.activeElement !== document.body) || !target || !target.isConnected) { return; }
    var landing = target.querySelector(".notification");
    if (!landing) { return; }
    if (!landing.hasAttribute("tabindex")) { landing.setAttribute("tabindex", "-1"); }
    landing.focus();
  });

  // A "Print" button (the check-in desk's voting code card): shown only where it can work.
  function showPrintButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
    root.querySelectorAll("[data-print-fallback]").forEach(function (hint) { hint.hidden = true; });
  }
  document.addEventListener("DOMContentLoaded", function () { showPrintButtons(document); });
  document.addEventListener("htmx:afterSwap", function (event) { showPrintButtons(event.detail.target); });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });

  // The idle timeout (WCAG 2.2.1): a signed-in page warns before the server signs its person out,
  // with a button to stay signed in. The deadline is kept as a time, not a timer alone, so a phone
  // that slept past the warning shows it as soon as the page is looked at again. Someone typing is
  // there: every few minutes of typing tells the server so, and the warning does not interrupt them.
  // The absolute limit (hours after sign-in) cannot be extended: its own dialog warns before it.
  var KEEP_ALIVE_EVERY = 5 * 60000;
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var dialog = document.getElementById("session-warning");
    var stay = document.getElementById("session-stay");
    var ending = document.getElementById("session-ending");
    if (!dialog || !stay || !ending || !body.dataset.sessionLeft || !window.fetch) { return; }
    var idle = Number(body.dataset.sessionIdle) * 1000;
    var warnBefore = Number(body.dataset.sessionWarn) * 1000;
    var endsAt = Date.now() + Number(body.dataset.sessionEnds) * 1000;
    var deadline;
    var heard;  // when the server last heard from this page, as far as this page knows
    var timer;
    function schedule(left) {
      heard = Date.now();
      deadline = heard + left;
      window.clearTimeout(timer);
      timer = window.setTimeout(warn, Math.max(0, left - warnBefore));
    }
    function open(which) {
      if (which.open) { return; }
      which.hidden = false;
      if (typeof which.showModal === "function") { which.showModal(); } else { which.setAttribute("open", ""); }
      which.querySelector("button").focus();
    }
    function shut(which) {
      if (typeof which.close === "function" && which.open) { which.close(); } else { which.removeAttribute("open"); }
      which.hidden = true;
    }
    function warn() {
      if (Date.now() < endsAt - warnBefore) { open(dialog); }  // nearer the absolute limit, staying cannot help
    }
    var asking = null;  // the call to the server in flight, if any
    function stillHere() {
      asking = fetch(body.dataset.sessionAlive, {credentials: "same-origin", headers: {"HX-Request": "true"}})
        .then(function (response) {
          if (response.status === 204) { schedule(idle); return; }
          return response.text().then(function (html) {  // signed out already: say so, and keep the page
            document.getElementById("messages").innerHTML = html;
          });
        });
      var done = function () { asking = null; };
      asking.then(done, done);
      return asking;
    }
    // Signing out waits for a call in flight: its answer, arriving after, would sign the person back in.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!asking || !form.hasAttribute("data-sign-out")) { return; }
      event.preventDefault();
      var send = function () { form.submit(); };
      asking.then(send, send);
    });
    stay.addEventListener("click", function () { stillHere().then(function () { shut(dialog); }, function () { shut(dialog); }); });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay.click(); });  // Escape stays too
    document.getElementById("session-ending-ok").addEventListener("click", function () { shut(ending); });
    document.addEventListener("input", function () {
      if (!dialog.open && Date.now() - heard >= KEEP_ALIVE_EVERY && Date.now() < deadline) {
        heard = Date.now();  // one call at a time, however fast the typing
        stillHere().catch(function () {});  // offline: the warning still comes, from the old deadline
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "visible") { return; }
      if (Date.now() >= deadline - warnBefore) { warn(); }
      if (Date.now() >= endsAt - warnBefore && Date.now() < endsAt) { open(ending); }
    });
    // Any request resets the server's clock, though it writes the time at most once a minute (SEEN_EVERY).
    document.addEventListener("htmx:afterRequest", function () { if (!dialog.open) { schedule(idle - 60000); } });
    schedule(Number(body.dataset.sessionLeft) * 1000);
    window.setTimeout(function () { shut(dialog); open(ending); }, Math.max(0, endsAt - warnBefore - Date.now()));
  });

  // Bad wifi: a form marked data-retry (confirming a vote) is sent with fetch, as htmx sends
  // forms, and sent again if the connection drops before the answer arrives. Every try carries
  // the same submission token, so the server casts the ballot once however many arrive.
  var RETRIES = 6;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-retry")) { return; }
    if (!window.fetch || !window.URLSearchParams) { return; }  // an old browser: an ordinary post
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));  // the same bytes every try
    var button = form.querySelector("button[type=submit]");
    var waiting = form.querySelector("[data-retry-waiting]");
    var failed = form.querySelector("[data-retry-failed]");
    var tries = 0;
    button.disabled = true;
    failed.hidden = true;
    function answered(response) {
      if (response.status >= 502) { dropped(); return; }  // a proxy with no app server behind it yet
      var next = response.headers.get("HX-Redirect");
      if (next) { window.location.assign(next); return; }
      return response.text().then(function (html) {  // a refusal, as a message for the page's alert region
        document.getElementById("messages").innerHTML = html;
        waiting.hidden = true;
        button.disabled = false;
      });
    }
    function dropped() {
      if (tries >= RETRIES) {
        waiting.hidden = true;
        failed.hidden = false;
        button.disabled = false;
        return;
      }
      waiting.hidden = false;
      window.setTimeout(send, Math.min(500 * Math.pow(2, tries), 8000));
    }
    function send() {
      tries += 1;
      fetch(form.action, {method: "POST", body: body, credentials: "same-origin", headers: {"HX-Request": "true"}})
        .then(answered, dropped);
    }
    send();
  });
})();
