"""Settings modules: base (production defaults from the environment), dev and test."""
