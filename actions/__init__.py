"""Custom actions (rasa-sdk action server): routing and organisation answers."""
