/*
 * Meldcode-gids chat widget, part 3 of 3 (loaded by widget.js): quick exit ("Snel weg": the
 * button, Shift pressed three times as in GOV.UK's "Exit this page", Esc twice), opening and
 * closing the panel, the keyboard inside it, and W.start (build, wire up, put on the page).
 * The keys work from the moment this part runs, also before the texts are there.
 */
(function (W) {
  "use strict";
  if (!W || typeof W !== "object" || !W.cfg) return;

  var SHIFT_TIMEOUT = 5000;  // ms between two Shift presses (GOV.UK uses 5 seconds)
  var lastEscape = 0;
  var shiftCount = 0;        // Shift presses in a row
  var shiftTimer = null;
  var shiftClearTimer = null;
  var lastKeyWasModified = false;

  function quickExit() {
    if (W.exiting) return;
    W.exiting = true;
    W.hidePage();
    clearTimeout(shiftTimer);
    clearTimeout(shiftClearTimer);
    W.endChat();
    if (W.host && W.host.parentNode) W.host.parentNode.removeChild(W.host);
    W.leave();
  }

  // ---- quick exit by keyboard: Shift three times (GOV.UK "Exit this page"), or Esc twice ----------
  function showShiftCount() {
    (W.exitButtons || []).forEach(function (b) {
      var dots = b.querySelector(".mg-exit-dots");
      dots.hidden = shiftCount === 0;
      for (var i = 0; i < dots.children.length; i++) dots.children[i].classList.toggle("mg-on", i < shiftCount);
    });
  }

  function announce(key) {
    if (W.shiftStatus) W.shiftStatus.textContent = key && W.T ? W.T[key] : "";
  }

  function resetShift() {
    clearTimeout(shiftTimer);
    shiftTimer = null;
    shiftCount = 0;
    showShiftCount();
    announce("shift_gestopt");
    clearTimeout(shiftClearTimer);
    shiftClearTimer = setTimeout(announce, SHIFT_TIMEOUT);
  }

  // keyup, as GOV.UK does: Shift used as a modifier (Shift+A gives the keyup of A with shiftKey,
  // then the keyup of Shift) does not count; any other key stops the count.
  document.addEventListener("keyup", function (event) {
    if (W.exiting) return;
    if (event.key === "Shift" && !lastKeyWasModified) {
      shiftCount += 1;
      showShiftCount();
      clearTimeout(shiftClearTimer);
      clearTimeout(shiftTimer);
      if (shiftCount >= 3) {
        shiftCount = 0;
        announce();
        quickExit();
        return;
      }
      announce(shiftCount === 1 ? "shift_nog_2" : "shift_nog_1");
      shiftTimer = setTimeout(resetShift, SHIFT_TIMEOUT);
    } else if (shiftTimer) {
      resetShift();
    }
    lastKeyWasModified = event.shiftKey;
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var now = Date.now();
    if (now - lastEscape < 1000) quickExit();
    else lastEscape = now;
  }, true);

  // ---- open and close ---------------------------------------------------------------------------
  function openPanel() {
    W.panel.hidden = false;
    W.dock.hidden = true;
    W.launchBtn.setAttribute("aria-expanded", "true");
    W.connect();
    W.input.focus();
    W.scrollToNewest();
  }

  function closePanel() {
    W.panel.hidden = true;
    W.dock.hidden = false;
    W.launchBtn.setAttribute("aria-expanded", "false");
    W.launchBtn.focus();
  }

  // When the panel covers the whole window (phones, 200% zoom: the media query of widget.css) it
  // works as a dialog: Tab goes round inside it, never to the page hidden behind it.
  var fullWindow = window.matchMedia ? window.matchMedia("(max-width: 30rem), (max-height: 32rem)") : null;
  function keepTabInside(event) {
    if (event.key !== "Tab" || !fullWindow || !fullWindow.matches) return;
    var items = Array.prototype.filter.call(W.panel.querySelectorAll("a[href], button, input, [tabindex='0']"),
                                            function (n) { return !n.disabled && n.getClientRects().length; });
    if (!items.length) return;
    var active = W.root.activeElement || document.activeElement;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  W.start = function () {
    if (W.started || W.exiting) return;
    W.started = true;
    W.build();
    W.renderSwitches();
    W.exitButtons.forEach(function (b) { b.addEventListener("click", quickExit); });
    W.panel.addEventListener("keydown", keepTabInside);
    W.launchBtn.addEventListener("click", openPanel);
    W.minimiseBtn.addEventListener("click", closePanel);
    W.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = W.input.value;
      W.input.value = "";
      W.send(text);
      W.input.focus();
    });
    W.tipBtn.addEventListener("click", W.showTip);
    function mount() {
      if (W.exiting) return;
      document.body.appendChild(W.host);
      if (W.cfg.open) openPanel();
    }
    if (document.body) mount();
    else document.addEventListener("DOMContentLoaded", mount);
  };
})(window.__meldcodeGidsWidget);
