"""Settings for working on Okryu locally: the demo with debug pages on."""

from config.settings.demo import *  # noqa: F403

DEBUG = True
