"""Settings modules: base (shared, from the environment), demo (``make run``), production,
dev (the demo with debug pages) and test."""
