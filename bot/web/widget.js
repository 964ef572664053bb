/*
 * Meldcode-gids chat widget: a small, framework-free script that talks to the Rasa bot over
 * Rasa's socket.io channel (events: session_request / session_confirm, user_uttered, bot_uttered).
 *
 * Embed with one tag (all data-* settings are optional):
 *   <script src="https://BOT-HOST/widget.js" data-server="https://BOT-HOST"
 *           data-exit-url="https://www.google.nl/" data-title="Praat anoniem over je zorgen" defer></script>
 *
 * Safety and privacy: nothing is written to cookies or browser storage; the session id is new on
 * every page load and lives only in memory. "Snel weg" (or Esc twice) disconnects, clears the chat
 * and replaces the page by a neutral site with location.replace, so Back does not return.
 * All user and bot text is inserted as text nodes; links are built as <a> elements.
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
      "Chat in een privévenster (incognito). Dan onthoudt je browser niet welke sites je bezocht.",
      "Wis daarna je geschiedenis, als iemand anders je apparaat gebruikt.",
      "Moet je snel weg? Klik op ‘Snel weg’ of druk 2 keer op Esc.",
    ],
    shortcut: "Snel weg: druk 2 keer op Esc",
    newTab: " (opent nieuw tabblad)",
  };

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

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += ("0" + bytes[i].toString(16)).slice(-2);
    return hex;
  }

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
  function exitButton(extraClass) {
    var b = el("button", { type: "button", "class": "mg-exit " + extraClass }, [T.exit, srOnly(", " + T.exitHint)]);
    b.addEventListener("click", quickExit);
    return b;
  }
  var dock = el("div", { "class": "mg-dock", lang: "nl" }, [launchBtn, exitButton("mg-exit-dock")]);

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
  var tipBtn = el("button", { type: "button", "class": "mg-tip-toggle" }, [T.tipButton]);
  var foot = el("div", { "class": "mg-foot" }, [tipBtn, el("span", { "class": "mg-shortcut", text: T.shortcut })]);
  var panel = el("section", { "class": "mg-panel", id: "mg-panel", "aria-labelledby": "mg-title",
                               lang: "nl", hidden: true },
                 [head, bar, status, log, typing, form, foot]);
  root.appendChild(dock);
  root.appendChild(panel);

  // ---- messages ---------------------------------------------------------------------------
  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(who, text) {
    var body = el("div", { "class": "mg-text" });
    body.appendChild(who === "bot" ? linkified(text) : document.createTextNode(text));
    log.appendChild(el("div", { "class": "mg-msg mg-" + who }, [srOnly(who === "bot" ? T.bot : T.you), body]));
    scrollDown();
  }

  function clearChoices() {
    var groups = log.querySelectorAll(".mg-choices");
    for (var i = 0; i < groups.length; i++) groups[i].parentNode.removeChild(groups[i]);
  }

  function addChoices(buttons) {
    clearChoices();
    var group = el("div", { "class": "mg-choices", role: "group", "aria-label": T.choices });
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") return;
      var payload = typeof b.payload === "string" && b.payload ? b.payload : b.title;
      var btn = el("button", { type: "button", "class": "mg-choice" }, [b.title]);
      btn.addEventListener("click", function () {
        send(payload, b.title);
        input.focus();
      });
      group.appendChild(btn);
    });
    if (group.childNodes.length) log.appendChild(group);
    scrollDown();
  }

  function showTyping() {
    typing.hidden = false;
    scrollDown();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 20000);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  function setNotice(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function onBotMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    hideTyping();
    if (typeof msg.text === "string" && msg.text.trim()) addMessage("bot", msg.text);
    var buttons = Array.isArray(msg.quick_replies) && msg.quick_replies.length ? msg.quick_replies : msg.buttons;
    if (Array.isArray(buttons) && buttons.length) addChoices(buttons);
    var att = msg.attachment;
    if (att && att.payload && typeof att.payload.src === "string" && /^https?:\/\//.test(att.payload.src)) {
      addMessage("bot", att.payload.src);
    }
  }

  // ---- socket.io ----------------------------------------------------------------------------
  function emitUser(text) {
    socket.emit("user_uttered", { message: text, session_id: sessionId });
  }

  function send(text, shownAs) {
    text = (text || "").trim();
    if (!text || exiting) return;
    addMessage("user", shownAs || text);
    clearChoices();
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
    scrollDown();
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
    try { if (socket) socket.disconnect(); } catch (e) { /* leaving anyway */ }
    queue = [];
    input.value = "";
    while (log.firstChild) log.removeChild(log.firstChild);
    if (host.parentNode) host.parentNode.removeChild(host);
    if (document.body) document.body.hidden = true;
    window.location.replace(CFG.exitUrl);
  }

  launchBtn.addEventListener("click", openPanel);
  minimiseBtn.addEventListener("click", closePanel);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  // The tip is shown locally, as a note at the end of the conversation; nothing is sent to the bot.
  tipBtn.addEventListener("click", function () {
    var old = log.querySelector(".mg-tip");
    if (old) old.parentNode.removeChild(old);
    log.appendChild(el("div", { "class": "mg-msg mg-tip" }, [
      el("h3", { text: T.tipTitle }),
      el("ul", null, T.tip.map(function (line) { return el("li", { text: line }); })),
    ]));
    scrollDown();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var now = Date.now();
    if (now - lastEscape < 1000) quickExit();
    else lastEscape = now;
  }, true);

  function mount() {
    document.body.appendChild(host);
    if (CFG.open) openPanel();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
