"""Channel code: which channels run, and the project's own connectors."""
