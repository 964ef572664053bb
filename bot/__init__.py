"""The project's own Python: custom Rasa components, channels, set-up and launcher."""
