/*
 * Meldcode-gids chat widget, part 2 of 3 (loaded by widget.js): the conversation. Messages,
 * choices and notes in the log, the typing indicator, socket.io (session_request /
 * session_confirm, user_uttered with metadata {lang}, bot_uttered) and the language switch.
 * State lives in this closure only: the session id is never on the page's globals.
 */
(function (W) {
  "use strict";
  if (!W || typeof W !== "object" || !W.cfg) return;
  var el = W.el;

  var sessionId = W.newId();
  var socket = null;
  var confirmed = false;
  var greeted = false;
  var queue = [];
  var typingTimer = null;
  var ioLib = null;
  var anchor = null;          // the first message of the newest answer: kept in view
  var notSafeTimer = null;    // the user chose "Nee, niet veilig": the note follows the answer
  var CHOOSE_LANGUAGE = /^\/choose_language\{\s*"taal"\s*:\s*"([a-z]{2})"\s*\}$/;

  // ---- messages ---------------------------------------------------------------------------
  // Scroll to the end, but never so far that the first line of the newest answer leaves the
  // view, nor that of its newest message: a long answer is read from its start (on a phone too),
  // and the user scrolls on.
  function scrollToNewest() {
    var log = W.log;
    var end = log.scrollHeight - log.clientHeight;
    var target = end;
    if (!W.panel.hidden && anchor && anchor.parentNode === log) {
      var base = log.scrollTop - log.getBoundingClientRect().top - 8;
      target = Math.min(end, base + anchor.getBoundingClientRect().top);
      var newest = log.lastElementChild;
      var newestTop = base + newest.getBoundingClientRect().top;
      if (newestTop > target + log.clientHeight - 40) target = Math.min(end, newestTop);
    }
    log.scrollTop = Math.max(0, target);
  }
  W.scrollToNewest = scrollToNewest;

  function choicesHint() {
    return el("span", { "class": "mg-sr mg-choices-hint", lang: W.textsLang, text: " " + W.T.keuzes_uitleg });
  }

  // dir="auto" on every bubble: a message in Arabic is laid out right to left in any conversation.
  function addMessage(who, text, withChoices, lang) {
    var body = el("div", { "class": "mg-text" });
    body.appendChild(who === "bot" ? W.linkified(text) : document.createTextNode(text));
    if (withChoices) body.appendChild(choicesHint());
    var msg = el("div", { "class": "mg-msg mg-" + who, dir: "auto", lang: lang }, [W.speaker(who), body]);
    W.log.appendChild(msg);
    if (who === "user") anchor = null;
    else if (!anchor) anchor = msg;
    scrollToNewest();
    return msg;
  }

  // A note of the widget itself (nothing is sent to the bot), at the end of the conversation.
  function addNote(kind, title, lines) {
    var old = W.log.querySelector(".mg-note-" + kind);
    if (old) old.parentNode.removeChild(old);
    var note = el("div", { "class": "mg-msg mg-note mg-note-" + kind, lang: W.textsLang, dir: "auto" }, [
      el("h3", { text: title }),
      el("ul", null, lines.map(function (line) { return el("li", { text: line }); })),
    ]);
    W.log.appendChild(note);
    return note;
  }

  function showNotSafe() {
    clearTimeout(notSafeTimer);
    notSafeTimer = null;
    addNote("notsafe", W.T.niet_veilig_titel, W.T.niet_veilig);
    scrollToNewest();
  }

  W.showTip = function () {
    anchor = addNote("tip", W.T.tip_titel, W.T.tip);
    scrollToNewest();
  };

  // The greeting's "Nee, niet veilig" button, in any language whose texts the widget has.
  function isNotSafeChoice(title) {
    var lower = title.toLowerCase();
    return W.allTexts().some(function (T) {
      return typeof T.niet_veilig_knop === "string" && lower.indexOf(T.niet_veilig_knop.toLowerCase()) >= 0;
    });
  }

  function clearChoices() {
    var choices = W.choices;
    while (choices.firstChild) choices.removeChild(choices.firstChild);
    choices.hidden = true;
    var hints = W.log.querySelectorAll(".mg-choices-hint");
    for (var i = 0; i < hints.length; i++) hints[i].parentNode.removeChild(hints[i]);
  }
  W.clearChoices = clearChoices;

  function addChoices(buttons, hinted) {
    var choices = W.choices;
    while (choices.firstChild) choices.removeChild(choices.firstChild);
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") return;
      var payload = typeof b.payload === "string" && b.payload ? b.payload : b.title;
      var btn = el("button", { type: "button", "class": "mg-choice", dir: "auto" }, [b.title]);
      btn.addEventListener("click", function () {
        var chosen = CHOOSE_LANGUAGE.exec(payload);  // the bot's own language buttons
        if (chosen && W.cfg.languages.indexOf(chosen[1]) >= 0 && chosen[1] !== W.lang) setLanguage(chosen[1]);
        if (isNotSafeChoice(b.title) && !W.exiting) {
          clearTimeout(notSafeTimer);
          notSafeTimer = setTimeout(showNotSafe, 5000);  // after the bot's answer, or on its own
        }
        send(payload, b.title);
        W.input.focus();
      });
      choices.appendChild(btn);
    });
    if (choices.childNodes.length) {
      choices.hidden = false;
      if (!hinted) {
        var bots = W.log.querySelectorAll(".mg-bot .mg-text");
        if (bots.length) bots[bots.length - 1].appendChild(choicesHint());
      }
    }
    scrollToNewest();
  }

  function showTyping() {
    W.typing.hidden = false;
    scrollToNewest();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 20000);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    W.typing.hidden = true;
    scrollToNewest();
  }

  function setNotice(text) {
    if (W.status.textContent !== text) W.status.textContent = text;
  }

  function lost() {
    if (!W.exiting) setNotice(W.T.verbinding_kwijt);
  }

  function onBotMessage(msg) {
    if (!msg || typeof msg !== "object" || W.exiting) return;
    hideTyping();
    // A channel that knows the conversation's language may say it ({"lang": "en"}).
    var lang = W.cfg.languages.indexOf(msg.lang) >= 0 ? msg.lang : undefined;
    if (lang && lang !== W.lang) setLanguage(lang);
    var buttons = Array.isArray(msg.quick_replies) && msg.quick_replies.length ? msg.quick_replies : msg.buttons;
    var hasButtons = Array.isArray(buttons) && buttons.some(function (b) { return b && typeof b.title === "string"; });
    var hasText = typeof msg.text === "string" && !!msg.text.trim();
    if (hasButtons) clearChoices();  // new choices replace the old ones (and their hint)
    if (hasText) addMessage("bot", msg.text, hasButtons, lang);
    if (hasButtons) addChoices(buttons, hasText);
    var att = msg.attachment;
    if (att && att.payload && typeof att.payload.src === "string" && /^https?:\/\//.test(att.payload.src)) {
      addMessage("bot", att.payload.src);
    }
    if (notSafeTimer && (hasText || hasButtons)) showNotSafe();
  }

  // ---- the language: data-lang first, then the switch ------------------------------------------------
  // Dutch pages offer English, English pages Dutch, the card languages both.
  function offered() {
    if (W.lang === "nl") return ["en"];
    if (W.lang === "en") return ["nl"];
    return ["en", "nl"];
  }

  function renderSwitches() {
    var box = W.switches;
    while (box.firstChild) box.removeChild(box.firstChild);
    offered().forEach(function (lang) {
      var name = W.T["taal." + lang];
      var btn = el("button", { type: "button", "class": "mg-lang", lang: lang, dir: W.dirOf(lang), text: name });
      btn.addEventListener("click", function () {
        setLanguage(lang);
        send('/choose_language{"taal": "' + lang + '"}', name, lang);
        W.input.focus();
      });
      box.appendChild(btn);
    });
  }

  // The conversation goes on in `lang`: the widget's texts follow (the card languages have
  // English ones), and so do its lang and dir.
  function setLanguage(lang) {
    W.lang = lang;
    W.loadTexts(lang, function (got) {
      if (W.lang !== lang || W.exiting) return;
      W.T = got.texts;
      W.textsLang = got.lang;
      W.applyTexts();
      renderSwitches();
      if (W.status.textContent) lost();
    });
  }
  W.renderSwitches = renderSwitches;

  // ---- socket.io ----------------------------------------------------------------------------
  function emitUser(text) {
    socket.emit("user_uttered", { message: text, session_id: sessionId, metadata: { lang: W.lang } });
  }

  function send(text, shownAs, lang) {
    text = (text || "").trim();
    if (!text || W.exiting) return;
    clearChoices();
    addMessage("user", shownAs || text, false, lang);
    showTyping();
    if (socket && confirmed) emitUser(text);
    else queue.push(text);
  }
  W.send = send;

  var loading = false;
  function loadSocketIo(done) {
    if (ioLib) return done();
    if (loading) return;
    loading = true;
    var previous = window.io;
    var s = el("script", { src: W.cfg.socketio });
    s.addEventListener("load", function () {
      ioLib = window.io;
      if (previous === undefined) { try { delete window.io; } catch (e) { window.io = undefined; } }
      else window.io = previous;
      done();
    });
    s.addEventListener("error", function () { loading = false; lost(); });
    document.head.appendChild(s);
  }

  W.connect = function () {
    if (socket || W.exiting) return;
    loadSocketIo(function () {
      if (socket || W.exiting) return;
      // websocket first: needs no CORS on the bot; polling is the fallback (the bot then needs --cors).
      socket = ioLib(W.cfg.server, {
        path: W.cfg.path,
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
        lost();
      });
      socket.on("connect_error", lost);
    });
  };

  window.addEventListener("offline", function () {
    if (W.exiting || !socket) return;
    lost();
    // socket.io closes the transport itself for hosts other than "localhost"; make sure it does.
    if (socket.connected && socket.io.engine) socket.io.engine.close();
  });

  // Quick exit: disconnect and forget the conversation.
  W.endChat = function () {
    clearTimeout(notSafeTimer);
    clearTimeout(typingTimer);
    try { if (socket) socket.disconnect(); } catch (e) { /* leaving anyway */ }
    queue = [];
    if (!W.log) return;
    W.input.value = "";
    while (W.log.firstChild) W.log.removeChild(W.log.firstChild);
    clearChoices();
  };
})(window.__meldcodeGidsWidget);
