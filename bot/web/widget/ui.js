/*
 * Meldcode-gids chat widget, part 1 of 3 (loaded by widget.js): the DOM. Text always goes in as
 * text nodes; links are built as <a> elements. The widget's own texts come from W.T (the JSON of
 * widget-texts/<lang>.json) and are set again when the language changes (W.applyTexts).
 */
(function (W) {
  "use strict";
  if (!W || typeof W !== "object" || !W.cfg) return;

  // ---- DOM helpers ------------------------------------------------------------------------------
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
  W.el = el;

  W.srOnly = function (text) {
    return el("span", { "class": "mg-sr", text: text });
  };

  // What shows a widget text: set now and again after every change of language.
  var bindings = [];
  function bind(set) {
    bindings.push(set);
    if (W.T) set(W.T);
  }
  W.bind = bind;
  function textOf(node, key, before) {
    bind(function (T) { node.textContent = (before || "") + T[key]; });
    return node;
  }
  function attrOf(node, name, key) {
    bind(function (T) { node.setAttribute(name, T[key]); });
    return node;
  }

  // Elements in the language of the widget's texts (dock, panel) and in that of the conversation
  // (the host: lang and dir; the log and the choices: lang). The two differ when a language has
  // no widget texts of its own (the card languages get the English ones).
  var textNodes = [];
  var conversationNodes = [];
  W.dirOf = function (lang) {
    return W.cfg.rtl.indexOf(lang) >= 0 ? "rtl" : "ltr";
  };
  W.applyTexts = function () {
    bindings.forEach(function (set) { set(W.T); });
    textNodes.forEach(function (node) { node.setAttribute("lang", W.textsLang); });
    conversationNodes.forEach(function (node) { node.setAttribute("lang", W.lang); });
    W.host.setAttribute("dir", W.dirOf(W.lang));
  };

  // URLs (http(s):// or www.) and Dutch phone numbers (112, 0800-2000, 088-5057410, ten digits).
  var LINK_RE = /(https?:\/\/[^\s<>"']+|www\.[^\s<>"']+)|(^|[^\d\/-])(112|0\d{2,3}-\d{4,8}|0\d{9})(?![\d-])/g;
  var TRAILING = /[.,;:!?)\]]+$/;

  W.linkified = function (text) {
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
        href = W.tel(raw);
        external = false;
      }
      if (start > last) frag.appendChild(document.createTextNode(text.slice(last, start)));
      var a = el("a", { href: href, "class": external ? "mg-link" : "mg-link mg-tel" }, [raw]);
      if (external) {
        a.setAttribute("target", "_blank");
        a.setAttribute("rel", "noopener noreferrer");
        a.appendChild(W.srOnly(" " + W.T.nieuw_tabblad));
      }
      frag.appendChild(a);
      last = start + raw.length;
      LINK_RE.lastIndex = last;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  };

  W.tel = function (number) {
    return "tel:" + String(number).replace(/[^\d]/g, "");
  };

  // "Jij: " / "Chatbot: " before a message, for screen readers: in the language of the widget's
  // texts, with its own dir so that the bubble's dir="auto" goes by the message alone.
  W.speaker = function (who) {
    return el("span", { "class": "mg-sr", lang: W.textsLang, dir: W.dirOf(W.textsLang),
                        text: (who === "bot" ? W.T.chatbot : W.T.jij) + " " });
  };

  // ---- the widget's DOM, in a shadow root so host page styles do not leak in ----------------------
  W.build = function () {
    var CFG = W.cfg;
    var host = (W.host = el("div", { "class": "meldcode-gids-widget" }));
    var root = (W.root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host);
    root.appendChild(el("link", { rel: "stylesheet", href: CFG.css }));

    W.launchBtn = textOf(el("button", { type: "button", "class": "mg-launch", "aria-expanded": "false",
                                        "aria-controls": "mg-panel" }), "openen");
    W.exitButtons = [];
    function exitButton(extraClass) {
      // three dots show the Shift presses so far (the announcement says it in words)
      var dots = el("span", { "class": "mg-exit-dots", "aria-hidden": "true", hidden: true }, [
        el("span", { "class": "mg-exit-dot" }), el("span", { "class": "mg-exit-dot" }),
        el("span", { "class": "mg-exit-dot" }),
      ]);
      var b = el("button", { type: "button", "class": "mg-exit " + extraClass },
                 [textOf(el("span"), "snel_weg"), textOf(W.srOnly(""), "snel_weg_uitleg", ", "), dots]);
      W.exitButtons.push(b);
      return b;
    }
    W.dock = el("div", { "class": "mg-dock" }, [W.launchBtn, exitButton("mg-exit-dock")]);
    // Outside the dock and the panel, so it is heard whether the chat is open or closed.
    W.shiftStatus = el("div", { "class": "mg-sr mg-shift-status", "aria-live": "polite" });

    W.minimiseBtn = el("button", { type: "button", "class": "mg-min" }, ["\u2013"]);
    attrOf(attrOf(W.minimiseBtn, "aria-label", "verkleinen"), "title", "verkleinen");
    var title = el("h2", { "class": "mg-title", id: "mg-title", dir: "auto" });
    if (CFG.title) {  // the site's own title, in the page's language whatever the chat's
      title.textContent = CFG.title;
      title.setAttribute("lang", CFG.lang);
    } else {
      textOf(title, "titel");
    }
    W.switches = el("span", { "class": "mg-langs" });
    // The switch on a row of its own under the title: room for the title at 320 px too.
    var head = el("div", { "class": "mg-head" }, [title, exitButton("mg-exit-head"), W.minimiseBtn, W.switches]);
    var vt = el("a", { "class": "mg-bar-vt" }, [textOf(el("span"), "veilig_thuis"),
                                                  textOf(W.srOnly(""), "veilig_thuis_uitleg", ", ")]);
    bind(function (T) { vt.setAttribute("href", W.tel(T.veilig_thuis_telefoon)); });
    var bar = el("p", { "class": "mg-bar" }, [textOf(el("a", { href: "tel:112", "class": "mg-bar-112" }), "gevaar"), vt]);
    W.status = el("p", { "class": "mg-status", role: "status", dir: "auto" });
    W.log = attrOf(el("div", { "class": "mg-log", id: "mg-log", role: "log", "aria-live": "polite", tabindex: "0" }),
                   "aria-label", "gesprek");
    W.typing = el("p", { "class": "mg-typing", hidden: true }, [
      textOf(W.srOnly(""), "typt"),
      el("span", { "class": "mg-dot", "aria-hidden": "true" }),
      el("span", { "class": "mg-dot", "aria-hidden": "true" }),
      el("span", { "class": "mg-dot", "aria-hidden": "true" }),
    ]);
    W.input = attrOf(el("input", { type: "text", id: "mg-input", "class": "mg-input", autocomplete: "off",
                                   autocapitalize: "sentences", maxlength: "1000", enterkeyhint: "send",
                                   dir: "auto" }), "placeholder", "placeholder");
    W.form = el("form", { "class": "mg-form", novalidate: true }, [
      textOf(el("label", { "for": "mg-input", "class": "mg-sr" }), "invoer"),
      W.input,
      textOf(el("button", { type: "submit", "class": "mg-send" }), "stuur"),
    ]);
    // The newest choices, right after the input and the send button: Tab, Tab from the input
    // reaches the first one however long the conversation (links in the log come before the input).
    W.choices = attrOf(el("div", { "class": "mg-choices", role: "group", hidden: true }), "aria-label", "keuzes");
    W.tipBtn = textOf(el("button", { type: "button", "class": "mg-tip-toggle" }), "tip_knop");
    var foot = el("div", { "class": "mg-foot" }, [W.tipBtn, textOf(el("span", { "class": "mg-shortcut", dir: "auto" }), "sneltoets")]);
    W.panel = el("section", { "class": "mg-panel", id: "mg-panel", "aria-labelledby": "mg-title", hidden: true },
                 [head, bar, W.status, W.log, W.typing, W.form, W.choices, foot]);
    textNodes.push(W.dock, W.panel, W.shiftStatus);
    conversationNodes.push(host, W.log, W.choices);
    root.appendChild(W.dock);
    root.appendChild(W.panel);
    root.appendChild(W.shiftStatus);
    W.applyTexts();
  };
})(window.__meldcodeGidsWidget);
