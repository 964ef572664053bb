"""Set-up: installing (install.sh and the other scripts), building the spaCy pipeline, training."""
