/*
 * Meldcode-gids chat widget: a small, framework-free script that talks to the Rasa bot over
 * Rasa's socket.io channel (events: session_request / session_confirm, user_uttered, bot_uttered).
 *
 * Embed with one tag (all data-* settings are optional):
 *   <script src="https://BOT-HOST/widget.js" data-server="https://BOT-HOST"
 *           data-exit-url="https://www.google.nl/" data-title="Praat anoniem over je zorgen" defer></script>
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
  window.__meldcodeGidsWidget = true;

  var DEFAULT_EXIT = "https://www.google.nl/";  // a neutral site
  var BASE = new URL(".", script.src);
  var data = script.dataset || {};
  var CFG = {
    server: data.server || BASE.origin,
    path: data.path || "/socket.io",
    exitUrl: data.exitUrl || DEFAULT_EXIT,
    title: data.title || "Praat anoniem over je zorgen",
    open: data.open === "true",
    socketio: data.socketio || new URL("vendor/socket.io.min.js", BASE).href,
    css: new URL("widget.css", BASE).href,
  };

  // Only http(s) addresses (absolute or relative to the page) for the quick exit.
  try {
    if (!/^https?:$/.test(new URL(CFG.exitUrl, window.location.href).protocol)) CFG.exitUrl = DEFAULT_EXIT;
  } catch (e) {
    CFG.exitUrl = DEFAULT_EXIT;
  }

  var T = {
    launch: "Chat anoniem",
    exit: "Snel weg",
    exitHint: "verlaat deze site meteen",
    minimise: "Chat verkleinen",
    danger: "Gevaar? Bel 112",
    veiligThuis: "Veilig Thuis 0800-2000",
    veiligThuisHint: "gratis, dag en nacht",
    log: "Gesprek",
    you: "Jij: ",
    bot: "Chatbot: ",
    choices: "Keuzes",
    input: "Typ je bericht",
    placeholder: "Typ hier je bericht",
    send: "Stuur",
    typing: "De chatbot typt",
    lost: "Verbinding kwijt, opnieuw verbinden...",
    tipButton: "Tip: geen sporen achterlaten",
    tipTitle: "Zo laat je geen sporen achter",
    tip: [
      "Deze chat bewaart niets in je browser.",
      "Moet je snel weg? Klik op ‘Snel weg’. Of druk 3 keer op Shift. Je ziet dan meteen een andere site.",
      "Chat in een privévenster (incognito). Dan onthoudt je browser niet welke sites je bezocht.",
      "Wis daarna je geschiedenis, als iemand anders je apparaat gebruikt. Dat doe je in het menu van je browser.",
    ],
    // Shown after the user chose "Nee, niet veilig" (the bot's answer says to stop; this says how).
    notSafeTitle: "Zo stop je snel en veilig",
    notSafe: [
      "Klik op ‘Snel weg’. Of druk 3 keer op Shift. Je ziet dan meteen een andere site.",
      "Chat later verder in een privévenster (incognito).",
      "Wis daarna je geschiedenis, in het menu van je browser.",
    ],
    shortcut: "Snel weg: druk 3 keer op Shift",
    choicesHint: " Je kunt een knop kiezen. De knoppen staan onder het invoerveld.",
    // Shift pressed three times (GOV.UK "Exit this page"): announced to screen readers.
    shiftTwoMore: "Shift: druk nog 2 keer om snel weg te gaan.",
    shiftOneMore: "Shift: druk nog 1 keer om snel weg te gaan.",
    shiftTimedOut: "Snel weg met Shift is gestopt.",
    leaving: "Laden...",
    newTab: " (opent nieuw tabblad)",
  };
  var NOT_SAFE_CHOICE = /\bniet veilig\b/i;  // the title of the greeting's "Nee, niet veilig" button
  var SHIFT_TIMEOUT = 5000;  // ms between two Shift presses (GOV.UK uses 5 seconds)
  var HISTORY_KEY = "meldcodeGidsWidget";  // our part of history.state, next to the host page's

  // ---- state, in memory only --------------------------------------------------------------
  var sessionId = newSessionId();
  var socket = null;
  var confirmed = false;
  var greeted = false;
  var exiting = false;
  var queue = [];
  var typingTimer = null;
  var lastEscape = 0;
  var ioLib = null;
  var anchor = null;          // the first message of the newest answer: kept in view
  var notSafeTimer = null;    // the user chose "Nee, niet veilig": the note follows the answer
  var shiftCount = 0;         // Shift presses in a row
  var shiftTimer = null;
  var shiftClearTimer = null;
  var lastKeyWasModified = false;

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += ("0" + bytes[i].toString(16)).slice(-2);
    return hex;
  }

  // ---- the tab's history: the entries this page made, and the ones it left ----------------------
  // Each entry this document adds (a link to "#hulp", the host page's pushState) gets our mark
  // in history.state: {doc, i} = which page load, and how many of its entries come before it.
  // That is the browser's session history, not storage: it goes when the tab is closed.
  var docId = newSessionId().slice(0, 16);
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
    if (exiting || !historyKnown) return;
    var mark = ourMark();
    if (mark && mark.doc === docId) historyIndex = mark.i;
    else historyKnown = markEntry(++historyIndex, false);
  }

  // Hide the page at once: nothing of it stays on screen (or for a screen reader) while the
  // neutral site loads.
  function hidePage() {
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
    document.documentElement.appendChild(overlay);
    overlay.textContent = T.leaving;  // set after insertion: screen readers pick it up better
  }

  // Mark every entry of this page as left while stepping back to its first one, then replace
  // that one by the neutral site: Back then shows the page before this site.
  function leave() {
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
  }

  // This entry was left by a quick exit before and is shown again (Forward, a reload, a restored
  // tab): leave again at once, before anything else.
  var arrived = ourMark();
  if (arrived && arrived.exited) {
    exiting = true;
    hidePage();
    window.location.replace(CFG.exitUrl);
    return;
  }
  historyKnown = markEntry(0, false);
  window.addEventListener("popstate", onHistoryMove);
  window.addEventListener("hashchange", onHistoryMove);
  // The back/forward cache can bring the page back as it was (overlay and all): leave again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var mark = ourMark();
    if (exiting || (mark && mark.exited)) {
      exiting = true;
      hidePage();
      window.location.replace(CFG.exitUrl);
    }
  });

  // ---- DOM helpers: text always goes in as text nodes ---------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var key in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
        var value = attrs[key];
        if (value === false || value === null || value === undefined) continue;
        if (key === "text") node.textContent = value;
        else node.setAttribute(key, value === true ? "" : String(value));
      }
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function srOnly(text) {
    return el("span", { "class": "mg-sr", text: text });
  }

  // URLs (http(s):// or www.) and Dutch phone numbers (112, 0800-2000, 088-5057410, ten digits).
  var LINK_RE = /(https?:\/\/[^\s<>"']+|www\.[^\s<>"']+)|(^|[^\d\/-])(112|0\d{2,3}-\d{4,8}|0\d{9})(?![\d-])/g;
  var TRAILING = /[.,;:!?)\]]+$/;

  function linkified(text) {
    var frag = document.createDocumentFragment();
    var last = 0;
    var m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(text)) !== null) {
      var start, raw, href, external;
      if (m[1]) {
        start = m.index;
        raw = m[1];
        var trail = raw.match(TRAILING);
        if (trail) raw = raw.slice(0, raw.length - trail[0].length);
        href = /^www\./i.test(raw) ? "https://" + raw : raw;
        external = true;
      } else {
        start = m.index + m[2].length;
        raw = m[3];
        href = "tel:" + raw.replace(/[^\d]/g, "");
        external = false;
      }
      if (start > last) frag.appendChild(document.createTextNode(text.slice(last, start)));
      var a = el("a", { href: href, "class": external ? "mg-link" : "mg-link mg-tel" }, [raw]);
      if (external) {
        a.setAttribute("target", "_blank");
        a.setAttribute("rel", "noopener noreferrer");
        a.appendChild(srOnly(T.newTab));
      }
      frag.appendChild(a);
      last = start + raw.length;
      LINK_RE.lastIndex = last;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  // ---- the widget's DOM, in a shadow root so host page styles do not leak in ----------------
  var host = el("div", { "class": "meldcode-gids-widget" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(el("link", { rel: "stylesheet", href: CFG.css }));

  var launchBtn = el("button", { type: "button", "class": "mg-launch", "aria-expanded": "false",
                                  "aria-controls": "mg-panel" }, [T.launch]);
  var exitButtons = [];
  function exitButton(extraClass) {
    // three dots show the Shift presses so far (the announcement below says it in words)
    var dots = el("span", { "class": "mg-exit-dots", "aria-hidden": "true", hidden: true }, [
      el("span", { "class": "mg-exit-dot" }), el("span", { "class": "mg-exit-dot" }),
      el("span", { "class": "mg-exit-dot" }),
    ]);
    var b = el("button", { type: "button", "class": "mg-exit " + extraClass },
               [T.exit, srOnly(", " + T.exitHint), dots]);
    b.addEventListener("click", quickExit);
    exitButtons.push(b);
    return b;
  }
  var dock = el("div", { "class": "mg-dock", lang: "nl" }, [launchBtn, exitButton("mg-exit-dock")]);
  // Outside the dock and the panel, so it is heard whether the chat is open or closed.
  var shiftStatus = el("div", { "class": "mg-sr mg-shift-status", "aria-live": "polite", lang: "nl" });

  var minimiseBtn = el("button", { type: "button", "class": "mg-min", "aria-label": T.minimise,
                                    title: T.minimise }, ["\u2013"]);
  var head = el("div", { "class": "mg-head" }, [
    el("h2", { "class": "mg-title", id: "mg-title", text: CFG.title }),
    exitButton("mg-exit-head"),
    minimiseBtn,
  ]);
  var bar = el("p", { "class": "mg-bar" }, [
    el("a", { href: "tel:112", "class": "mg-bar-112" }, [T.danger]),
    el("a", { href: "tel:08002000", "class": "mg-bar-vt" }, [T.veiligThuis, srOnly(", " + T.veiligThuisHint)]),
  ]);
  var status = el("p", { "class": "mg-status", role: "status" });
  var log = el("div", { "class": "mg-log", id: "mg-log", role: "log", "aria-live": "polite",
                         "aria-label": T.log, tabindex: "0" });
  var typing = el("p", { "class": "mg-typing", hidden: true }, [
    srOnly(T.typing),
    el("span", { "class": "mg-dot", "aria-hidden": "true" }),
    el("span", { "class": "mg-dot", "aria-hidden": "true" }),
    el("span", { "class": "mg-dot", "aria-hidden": "true" }),
  ]);
  var input = el("input", { type: "text", id: "mg-input", "class": "mg-input", autocomplete: "off",
                             autocapitalize: "sentences", placeholder: T.placeholder, maxlength: "1000",
                             enterkeyhint: "send" });
  var form = el("form", { "class": "mg-form", novalidate: true }, [
    el("label", { "for": "mg-input", "class": "mg-sr", text: T.input }),
    input,
    el("button", { type: "submit", "class": "mg-send" }, [T.send]),
  ]);
  // The newest choices, right after the input and the send button: Tab, Tab from the input
  // reaches the first one however long the conversation (links in the log come before the input).
  var choices = el("div", { "class": "mg-choices", role: "group", "aria-label": T.choices, hidden: true });
  var tipBtn = el("button", { type: "button", "class": "mg-tip-toggle" }, [T.tipButton]);
  var foot = el("div", { "class": "mg-foot" }, [tipBtn, el("span", { "class": "mg-shortcut", text: T.shortcut })]);
  var panel = el("section", { "class": "mg-panel", id: "mg-panel", "aria-labelledby": "mg-title",
                               lang: "nl", hidden: true },
                 [head, bar, status, log, typing, form, choices, foot]);
  root.appendChild(dock);
  root.appendChild(panel);
  root.appendChild(shiftStatus);

  // ---- messages ---------------------------------------------------------------------------
  // Scroll to the end, but never so far that the first line of the newest answer leaves the
  // view, nor that of its newest message: a long answer is read from its start (on a phone too),
  // and the user scrolls on.
  function scrollToNewest() {
    var end = log.scrollHeight - log.clientHeight;
    var target = end;
    if (!panel.hidden && anchor && anchor.parentNode === log) {
      var base = log.scrollTop - log.getBoundingClientRect().top - 8;
      target = Math.min(end, base + anchor.getBoundingClientRect().top);
      var newest = log.lastElementChild;
      var newestTop = base + newest.getBoundingClientRect().top;
      if (newestTop > target + log.clientHeight - 40) target = Math.min(end, newestTop);
    }
    log.scrollTop = Math.max(0, target);
  }

  function choicesHint() {
    return el("span", { "class": "mg-sr mg-choices-hint", text: T.choicesHint });
  }

  function addMessage(who, text, withChoices) {
    var body = el("div", { "class": "mg-text" });
    body.appendChild(who === "bot" ? linkified(text) : document.createTextNode(text));
    if (withChoices) body.appendChild(choicesHint());
    var msg = el("div", { "class": "mg-msg mg-" + who }, [srOnly(who === "bot" ? T.bot : T.you), body]);
    log.appendChild(msg);
    if (who === "user") anchor = null;
    else if (!anchor) anchor = msg;
    scrollToNewest();
    return msg;
  }

  // A note of the widget itself (nothing is sent to the bot), at the end of the conversation.
  function addNote(kind, title, lines) {
    var old = log.querySelector(".mg-note-" + kind);
    if (old) old.parentNode.removeChild(old);
    var note = el("div", { "class": "mg-msg mg-note mg-note-" + kind }, [
      el("h3", { text: title }),
      el("ul", null, lines.map(function (line) { return el("li", { text: line }); })),
    ]);
    log.appendChild(note);
    return note;
  }

  function showNotSafe() {
    clearTimeout(notSafeTimer);
    notSafeTimer = null;
    addNote("notsafe", T.notSafeTitle, T.notSafe);
    scrollToNewest();
  }

  function clearChoices() {
    while (choices.firstChild) choices.removeChild(choices.firstChild);
    choices.hidden = true;
    var hints = log.querySelectorAll(".mg-choices-hint");
    for (var i = 0; i < hints.length; i++) hints[i].parentNode.removeChild(hints[i]);
  }

  function addChoices(buttons, hinted) {
    while (choices.firstChild) choices.removeChild(choices.firstChild);
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") return;
      var payload = typeof b.payload === "string" && b.payload ? b.payload : b.title;
      var btn = el("button", { type: "button", "class": "mg-choice" }, [b.title]);
      btn.addEventListener("click", function () {
        if (NOT_SAFE_CHOICE.test(b.title) && !exiting) {
          clearTimeout(notSafeTimer);
          notSafeTimer = setTimeout(showNotSafe, 5000);  // after the bot's answer, or on its own
        }
        send(payload, b.title);
        input.focus();
      });
      choices.appendChild(btn);
    });
    if (choices.childNodes.length) {
      choices.hidden = false;
      if (!hinted) {
        var bots = log.querySelectorAll(".mg-bot .mg-text");
        if (bots.length) bots[bots.length - 1].appendChild(choicesHint());
      }
    }
    scrollToNewest();
  }

  function showTyping() {
    typing.hidden = false;
    scrollToNewest();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 20000);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
    scrollToNewest();
  }

  function setNotice(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function onBotMessage(msg) {
    if (!msg || typeof msg !== "object" || exiting) return;
    hideTyping();
    var buttons = Array.isArray(msg.quick_replies) && msg.quick_replies.length ? msg.quick_replies : msg.buttons;
    var hasButtons = Array.isArray(buttons) && buttons.some(function (b) { return b && typeof b.title === "string"; });
    var hasText = typeof msg.text === "string" && !!msg.text.trim();
    if (hasButtons) clearChoices();  // new choices replace the old ones (and their hint)
    if (hasText) addMessage("bot", msg.text, hasButtons);
    if (hasButtons) addChoices(buttons, hasText);
    var att = msg.attachment;
    if (att && att.payload && typeof att.payload.src === "string" && /^https?:\/\//.test(att.payload.src)) {
      addMessage("bot", att.payload.src);
    }
    if (notSafeTimer && (hasText || hasButtons)) showNotSafe();
  }

  // ---- socket.io ----------------------------------------------------------------------------
  function emitUser(text) {
    socket.emit("user_uttered", { message: text, session_id: sessionId });
  }

  function send(text, shownAs) {
    text = (text || "").trim();
    if (!text || exiting) return;
    clearChoices();
    addMessage("user", shownAs || text);
    showTyping();
    if (socket && confirmed) emitUser(text);
    else queue.push(text);
  }

  var loading = false;
  function loadSocketIo(done) {
    if (ioLib) return done();
    if (loading) return;
    loading = true;
    var previous = window.io;
    var s = el("script", { src: CFG.socketio });
    s.addEventListener("load", function () {
      ioLib = window.io;
      if (previous === undefined) { try { delete window.io; } catch (e) { window.io = undefined; } }
      else window.io = previous;
      done();
    });
    s.addEventListener("error", function () { loading = false; setNotice(T.lost); });
    document.head.appendChild(s);
  }

  function connect() {
    if (socket || exiting) return;
    loadSocketIo(function () {
      if (socket || exiting) return;
      // websocket first: needs no CORS on the bot; polling is the fallback (the bot then needs --cors).
      socket = ioLib(CFG.server, {
        path: CFG.path,
        transports: ["websocket", "polling"],
        tryAllTransports: true,
        withCredentials: false,
        reconnection: true,
        reconnectionDelay: 500,
        reconnectionDelayMax: 3000,
        timeout: 10000,
      });
      socket.on("connect", function () {
        socket.emit("session_request", { session_id: sessionId });
      });
      socket.on("session_confirm", function (token) {
        // The server signs the session; a reconnect brings this token back.
        if (typeof token === "string" && token) sessionId = token;
        confirmed = true;
        setNotice("");
        if (!greeted) {
          greeted = true;
          showTyping();
          emitUser("/greet");
        }
        while (queue.length) emitUser(queue.shift());
      });
      socket.on("bot_uttered", onBotMessage);
      socket.on("disconnect", function () {
        confirmed = false;
        hideTyping();
        if (!exiting) setNotice(T.lost);
      });
      socket.on("connect_error", function () {
        if (!exiting) setNotice(T.lost);
      });
    });
  }

  window.addEventListener("offline", function () {
    if (exiting || !socket) return;
    setNotice(T.lost);
    // socket.io closes the transport itself for hosts other than "localhost"; make sure it does.
    if (socket.connected && socket.io.engine) socket.io.engine.close();
  });

  // ---- open, close, quick exit ----------------------------------------------------------------
  function openPanel() {
    panel.hidden = false;
    dock.hidden = true;
    launchBtn.setAttribute("aria-expanded", "true");
    connect();
    input.focus();
    scrollToNewest();
  }

  function closePanel() {
    panel.hidden = true;
    dock.hidden = false;
    launchBtn.setAttribute("aria-expanded", "false");
    launchBtn.focus();
  }

  function quickExit() {
    if (exiting) return;
    exiting = true;
    hidePage();
    clearTimeout(shiftTimer);
    clearTimeout(shiftClearTimer);
    clearTimeout(notSafeTimer);
    try { if (socket) socket.disconnect(); } catch (e) { /* leaving anyway */ }
    queue = [];
    input.value = "";
    while (log.firstChild) log.removeChild(log.firstChild);
    clearChoices();
    if (host.parentNode) host.parentNode.removeChild(host);
    leave();
  }

  // ---- quick exit by keyboard: Shift three times (GOV.UK "Exit this page"), or Esc twice ----------
  function showShiftCount() {
    exitButtons.forEach(function (b) {
      var dots = b.querySelector(".mg-exit-dots");
      dots.hidden = shiftCount === 0;
      for (var i = 0; i < dots.children.length; i++) dots.children[i].classList.toggle("mg-on", i < shiftCount);
    });
  }

  function resetShift() {
    clearTimeout(shiftTimer);
    shiftTimer = null;
    shiftCount = 0;
    showShiftCount();
    shiftStatus.textContent = T.shiftTimedOut;
    clearTimeout(shiftClearTimer);
    shiftClearTimer = setTimeout(function () { shiftStatus.textContent = ""; }, SHIFT_TIMEOUT);
  }

  // keyup, as GOV.UK does: Shift used as a modifier (Shift+A gives the keyup of A with shiftKey,
  // then the keyup of Shift) does not count; any other key stops the count.
  document.addEventListener("keyup", function (event) {
    if (exiting) return;
    if (event.key === "Shift" && !lastKeyWasModified) {
      shiftCount += 1;
      showShiftCount();
      clearTimeout(shiftClearTimer);
      clearTimeout(shiftTimer);
      if (shiftCount >= 3) {
        shiftCount = 0;
        shiftStatus.textContent = "";
        quickExit();
        return;
      }
      shiftStatus.textContent = shiftCount === 1 ? T.shiftTwoMore : T.shiftOneMore;
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

  // When the panel covers the whole window (phones, 200% zoom: the media query of widget.css) it
  // works as a dialog: Tab goes round inside it, never to the page hidden behind it.
  var fullWindow = window.matchMedia ? window.matchMedia("(max-width: 30rem), (max-height: 32rem)") : null;
  panel.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || !fullWindow || !fullWindow.matches) return;
    var items = Array.prototype.filter.call(panel.querySelectorAll("a[href], button, input, [tabindex='0']"),
                                            function (n) { return !n.disabled && n.getClientRects().length; });
    if (!items.length) return;
    var active = root.activeElement || document.activeElement;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  });

  launchBtn.addEventListener("click", openPanel);
  minimiseBtn.addEventListener("click", closePanel);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  tipBtn.addEventListener("click", function () {
    anchor = addNote("tip", T.tipTitle, T.tip);
    scrollToNewest();
  });

  function mount() {
    document.body.appendChild(host);
    if (CFG.open) openPanel();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
