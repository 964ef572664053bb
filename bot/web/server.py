"""The web widget's small server: the demo pages of a fictional care organisation (Dutch, English,
Arabic), a neutral page for the quick exit, the widget's JS/CSS, its own texts as JSON and
socket.io-client from bot/web/node_modules.

    python -m bot.web.server --port 8080 --bot-url http://127.0.0.1:5005

Every response carries a Content-Security-Policy without third-party sources, Referrer-Policy:
no-referrer and Cache-Control: no-store. The widget talks to the Rasa server (its socket.io
channel) directly; the demo page gets the bot's URL in its script tag (data-server).
The log holds method, path and status only: user text never passes through this server.

GET /widget-texts/<lang>.json gives the widget's own texts (labels, notes, messages) for one of
the bot's languages: {"lang": <the language they are in>, "texts": {key: text}}, from the section
`widget` of data/texts/<lang>.yml (actions/texts.py), organisations filled in from
data/organisaties.yml. A key a language lacks comes from English for the card languages, else
from Dutch. Any site may read them (Access-Control-Allow-Origin: *): the widget fetches them from
the host it came from.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

from actions import texts
from bot.language import CARD_LANGUAGES, LANGUAGES

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent.parent
SITE = WEB / "site"
SOCKETIO_DIST = WEB / "node_modules" / "socket.io-client" / "dist"

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}

# URL path -> file; nothing else is served (no directory listings, no other files of the repo).
FILES: Dict[str, Path] = {
    "/": SITE / "index.html",
    "/index.html": SITE / "index.html",
    "/en.html": SITE / "en.html",
    "/ar.html": SITE / "ar.html",
    "/neutraal.html": SITE / "neutraal.html",
    "/demo.css": SITE / "demo.css",
    "/widget.js": WEB / "widget.js",
    "/widget.css": WEB / "widget.css",
    # the parts that widget.js loads
    **{f"/widget/{p.name}": p for p in sorted((WEB / "widget").glob("*.js"))},
    "/vendor/socket.io.min.js": SOCKETIO_DIST / "socket.io.min.js",
    "/vendor/socket.io.min.js.map": SOCKETIO_DIST / "socket.io.min.js.map",
}
TEMPLATED = {"/", "/index.html", "/en.html", "/ar.html"}
WIDGET_TEXTS = "/widget-texts/"
PREFIX = "widget."


def _filled(value: Any, lang: str) -> Any:
    if isinstance(value, list):
        return [_filled(v, lang) for v in value]
    return texts.fill(value, lang)


def widget_texts(lang: str) -> Dict[str, Any]:
    """The widget's texts in `lang` (one of the bot's languages) and the language they are in."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    chain = [lang, "en", texts.DEFAULT] if lang in CARD_LANGUAGES else [lang, texts.DEFAULT]
    tables = [(src, {k: v for k, v in texts.table(src).items() if k.startswith(PREFIX)}) for src in chain]
    out: Dict[str, Any] = {}
    for src, table in reversed(tables):  # the first language of the chain wins
        out.update({k[len(PREFIX) :]: _filled(v, src) for k, v in table.items()})
    return {"lang": next((src for src, table in tables if table), texts.DEFAULT), "texts": out}


def widget_texts_json(path: str) -> Optional[bytes]:
    """The body for GET /widget-texts/<lang>.json, or None for an unknown language."""
    name = path[len(WIDGET_TEXTS) :]
    if not name.endswith(".json") or name[: -len(".json")] not in LANGUAGES:
        return None
    return json.dumps(widget_texts(name[: -len(".json")]), ensure_ascii=False).encode()


def bot_origins(bot_url: str) -> Tuple[str, str]:
    """http(s) and ws(s) origin of the bot server, for connect-src."""
    parts = urlsplit(bot_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"bot URL must be http(s)://host[:port], not {bot_url!r}")
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"


def security_headers(bot_url: str) -> Dict[str, str]:
    http_origin, ws_origin = bot_origins(bot_url)
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            f"connect-src 'self' {http_origin} {ws_origin}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def make_handler(bot_url: str):
    headers = security_headers(bot_url)
    bot_attr = html.escape(bot_url.rstrip("/"), quote=True)

    class Handler(BaseHTTPRequestHandler):
        server_version = "widget"
        sys_version = ""

        def _send(self, status: int, body: bytes, ctype: str, head_only: bool, public: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k, v)
            if public:  # the widget's texts, fetched from the page of any site that embeds it
                self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            if not head_only:
                self.wfile.write(body)

        def _serve(self, head_only: bool) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == "/favicon.ico":
                self._send(204, b"", "image/x-icon", head_only)
                return
            if path.startswith(WIDGET_TEXTS):
                body = widget_texts_json(path)
                if body is not None:
                    self._send(200, body, TYPES[".json"], head_only, public=True)
                    return
            file = FILES.get(path)
            if file is None or not file.is_file():
                self._send(404, "Niet gevonden.\n".encode(), "text/plain; charset=utf-8", head_only)
                return
            body = file.read_bytes()
            if path in TEMPLATED:
                body = body.replace(b"{{BOT_URL}}", bot_attr.encode())
            self._send(200, body, TYPES.get(file.suffix, "application/octet-stream"), head_only)

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self._serve(head_only=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(head_only=True)

        def log_message(self, fmt: str, *args) -> None:
            # method, path without query, status: never user text
            sys.stderr.write("[web] %s\n" % (fmt % args).split("?", 1)[0])

    return Handler


def serve(port: int, bot_url: str, host: str = "127.0.0.1") -> None:
    missing = [p for p in FILES.values() if not p.is_file() and p.suffix != ".map"]
    if missing:
        sys.exit(
            f"[web] missing files: {', '.join(str(p.relative_to(ROOT)) for p in missing)}; "
            "run `bash bot/setup.sh` (npm ci in bot/web installs socket.io-client)"
        )
    httpd = ThreadingHTTPServer((host, port), make_handler(bot_url))
    httpd.daemon_threads = True
    print(f"[web] demo page on http://{host}:{port}/ (bot: {bot_url})", file=sys.stderr, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


def start_web(web_port: int, bot_url: str, logfile=None) -> subprocess.Popen:
    """Start the server in its own process (own session, so stop_stack can end it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.web.server", "--port", str(web_port), "--bot-url", bot_url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=logfile,
        stderr=subprocess.STDOUT if logfile else None,
        start_new_session=True,
    )


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--bot-url", default="http://127.0.0.1:5005")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    bot_origins(args.bot_url)
    serve(args.port, args.bot_url, args.host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
