/*
 * Meldcode-gids chat widget: a small, framework-free script that talks to the Rasa bot over
 * Rasa's socket.io channel (events: session_request / session_confirm, user_uttered, bot_uttered).
 *
 * Embed with one tag (all data-* settings are optional):
 *   <script src="https://BOT-HOST/widget.js" data-server="https://BOT-HOST" data-lang="nl"
 *           data-exit-url="https://www.google.nl/" data-title="Praat anoniem over je zorgen" defer></script>
 *
 * This file reads the settings, looks after the tab's history (below) and loads the rest, in
 * order, as classic scripts from the same place (no CORS needed): widget/ui.js (the DOM, text
 * nodes only), widget/chat.js (messages, socket.io, the language switch) and widget/exit.js
 * (quick exit, keyboard, open and close). The parts share one object, window.__meldcodeGidsWidget,
 * while they load; when all have run it is replaced by `true`, so nothing of the chat (its
 * session, its state) stays reachable from the page's globals.
 * The widget's own texts (labels, notes, messages) come from the server as JSON,
 * widget-texts/<lang>.json (bot/web/server.py, data/texts/<lang>.yml, section `widget`);
 * data-lang (nl, en, pl, ro, bg, uk, ar, tr; nl when missing or unknown) picks them and goes with
 * every message as socket.io metadata {lang}, so the bot starts the conversation in it.
 *
 * Safety and privacy: nothing is written to cookies or browser storage; the session id is new on
 * every page load and lives only in memory. Quick exit ("Snel weg": the button, Shift pressed three
 * times as in GOV.UK's "Exit this page", or Esc twice) hides the page at once, disconnects, clears
 * the chat, steps back over the entries this page added to the tab's history (links to "#hulp"
 * and the like), marks them in history.state and replaces the first one by a neutral site with
 * location.replace, so Back goes to the page before this one. An entry marked that way that is
 * shown again (Forward, or the back/forward cache: pageshow with persisted) leaves again at once.
 * All user and bot text is inserted as text nodes; links are built as <a> elements.
 *
 * What a page cannot erase (the tip and the "niet veilig" note tell the user what to do):
 * - the browser's history (Ctrl+H, suggestions in the address bar, "recently closed"): the
 *   addresses and titles of the site's pages and when they were visited. Only the user can
 *   delete them, or avoid them with a private (incognito) window;
 * - pages visited before this one in the same tab, also other pages of the same site: Back still
 *   shows them. A page can change only its own history entries;
 * - this page's own entries that the exit stepped back over: they stay in the tab as Forward
 *   entries (a long press on Back or Forward lists their titles) and, when opened, show the page
 *   for a moment before they leave again (the widget script runs after the page's HTML);
 * - other tabs or windows with the site, the preview in the tab or app switcher, the browser's
 *   cache when the site allows caching (the demo server sends no-store), and the keyboard app of
 *   a phone, which may remember words typed in the chat;
 * - what others can see on the way: the DNS cache, the network of an employer or school, the router.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__meldcodeGidsWidget) return;
  var W = { T: null, textsLang: null, exiting: false, started: false };
  window.__meldcodeGidsWidget = W;

  var DEFAULT_EXIT = "https://www.google.nl/";  // a neutral site
  var LANGUAGES = ["nl", "en", "pl", "ro", "bg", "uk", "ar", "tr"];  // bot/language.py
  var PARTS = ["widget/ui.js", "widget/chat.js", "widget/exit.js"];
  var BASE = new URL(".", script.src);
  var data = script.dataset || {};
  var CFG = {
    server: data.server || BASE.origin,
    path: data.path || "/socket.io",
    exitUrl: data.exitUrl || DEFAULT_EXIT,
    title: data.title || "",  // empty: the title of the widget's texts
    open: data.open === "true",
    lang: LANGUAGES.indexOf(data.lang) >= 0 ? data.lang : "nl",
    socketio: data.socketio || new URL("vendor/socket.io.min.js", BASE).href,
    css: new URL("widget.css", BASE).href,
    languages: LANGUAGES,
    rtl: ["ar"],  // laid out right to left
  };
  W.cfg = CFG;
  W.lang = CFG.lang;  // the conversation's language: follows the switch

  // Only http(s) addresses (absolute or relative to the page) for the quick exit.
  try {
    if (!/^https?:$/.test(new URL(CFG.exitUrl, window.location.href).protocol)) CFG.exitUrl = DEFAULT_EXIT;
  } catch (e) {
    CFG.exitUrl = DEFAULT_EXIT;
  }

  W.newId = function () {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += ("0" + bytes[i].toString(16)).slice(-2);
    return hex;
  };

  // ---- the tab's history: the entries this page made, and the ones it left ----------------------
  // Each entry this document adds (a link to "#hulp", the host page's pushState) gets our mark
  // in history.state: {doc, i} = which page load, and how many of its entries come before it.
  // That is the browser's session history, not storage: it goes when the tab is closed.
  var HISTORY_KEY = "meldcodeGidsWidget";  // our part of history.state, next to the host page's
  var docId = W.newId().slice(0, 16);
  var historyIndex = 0;
  var historyKnown = true;
  var overlay = null;

  function ourMark() {
    var state = window.history.state;
    var mark = state && typeof state === "object" ? state[HISTORY_KEY] : null;
    return mark && typeof mark === "object" ? mark : null;
  }

  // Our mark on the current entry, next to what the host page keeps in its state.
  function markEntry(index, exited) {
    var state = window.history.state;
    if (state !== null && (typeof state !== "object" || Array.isArray(state))) return false;
    var next = {};
    for (var key in state) {
      if (Object.prototype.hasOwnProperty.call(state, key)) next[key] = state[key];
    }
    next[HISTORY_KEY] = { doc: docId, i: index, exited: !!exited };
    try { window.history.replaceState(next, ""); } catch (e) { return false; }
    return true;
  }

  function onHistoryMove() {
    if (W.exiting || !historyKnown) return;
    var mark = ourMark();
    if (mark && mark.doc === docId) historyIndex = mark.i;
    else historyKnown = markEntry(++historyIndex, false);
  }

  // Hide the page at once: nothing of it stays on screen (or for a screen reader) while the
  // neutral site loads.
  W.hidePage = function () {
    var body = document.body;
    if (body) {
      body.hidden = true;
      body.style.setProperty("display", "none", "important");  // CSSOM: allowed by a strict CSP
    }
    if (overlay) return;
    overlay = document.createElement("div");
    var css = { position: "fixed", inset: "0", "z-index": "2147483647", background: "#fff",
                color: "#1b1b1b", padding: "1rem", font: "1rem system-ui, sans-serif" };
    for (var prop in css) overlay.style.setProperty(prop, css[prop], "important");
    overlay.setAttribute("role", "alert");
    if (W.textsLang) overlay.setAttribute("lang", W.textsLang);
    document.documentElement.appendChild(overlay);
    overlay.textContent = W.T ? W.T.laden : "";  // set after insertion: screen readers pick it up better
  };

  // Mark every entry of this page as left while stepping back to its first one, then replace
  // that one by the neutral site: Back then shows the page before this site.
  W.leave = function () {
    var steps = 0;
    var timer = null;
    function go() {
      window.removeEventListener("popstate", step);
      clearTimeout(timer);
      window.location.replace(CFG.exitUrl);
    }
    function step(first) {
      clearTimeout(timer);
      var mark = ourMark();
      var here = mark && mark.doc === docId ? mark.i : (first === true && historyKnown ? historyIndex + 1 : 0);
      markEntry(here, true);
      if (here > 0 && historyKnown && steps < 100) {
        steps += 1;
        timer = setTimeout(go, 1000);  // in case the browser does not step back
        window.history.back();
      } else {
        go();
      }
    }
    window.addEventListener("popstate", step);
    step(true);
  };

  function leaveAtOnce() {
    W.exiting = true;
    W.hidePage();
    window.location.replace(CFG.exitUrl);
  }

  // This entry was left by a quick exit before and is shown again (Forward, a reload, a restored
  // tab): leave again at once, before anything else.
  var arrived = ourMark();
  if (arrived && arrived.exited) {
    window.__meldcodeGidsWidget = true;
    leaveAtOnce();
    return;
  }
  historyKnown = markEntry(0, false);
  window.addEventListener("popstate", onHistoryMove);
  window.addEventListener("hashchange", onHistoryMove);
  // The back/forward cache can bring the page back as it was (overlay and all): leave again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var mark = ourMark();
    if (W.exiting || (mark && mark.exited)) leaveAtOnce();
  });

  // ---- the widget's own texts: {key: text} from widget-texts/<lang>.json, kept in memory --------
  var loadedTexts = {};
  W.loadTexts = function (lang, done) {
    if (loadedTexts[lang]) return done(loadedTexts[lang]);
    var url = new URL("widget-texts/" + lang + ".json", BASE).href;
    window.fetch(url, { credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (got) {
        if (!got || typeof got.texts !== "object" || typeof got.lang !== "string") throw new Error("texts");
        loadedTexts[lang] = got;
        done(got);
      })
      .catch(function () {
        // The texts of another language are missing: Dutch. Dutch missing too: nothing to show.
        if (lang !== "nl") W.loadTexts("nl", done);
      });
  };
  // Every table loaded so far (the title of the greeting's "not safe" button, in each of them).
  W.allTexts = function () {
    return Object.keys(loadedTexts).map(function (k) { return loadedTexts[k].texts; });
  };

  // ---- the parts, in order; start when they and the texts are there -----------------------------
  var waiting = PARTS.length + 1;
  function ready() {
    waiting -= 1;
    if (waiting > 0 || W.exiting) return;
    window.__meldcodeGidsWidget = true;  // the parts keep W to themselves from here on
    W.start();
  }
  W.loadTexts(CFG.lang, function (got) {
    W.T = got.texts;
    W.textsLang = got.lang;
    ready();
  });
  PARTS.forEach(function (part) {
    var s = document.createElement("script");
    s.src = new URL(part, BASE).href;
    s.async = false;  // run in this order
    s.addEventListener("load", ready);
    (document.head || document.documentElement).appendChild(s);
  });
})();
