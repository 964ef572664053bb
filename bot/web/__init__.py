"""The web chat widget (bot/web/widget.js) and its demo server (bot/web/server.py)."""
