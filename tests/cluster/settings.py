"""The cluster's settings for its load tests: the demo's, with the limits per person lifted.

Two demo shoppers stand for the many people of a real load: they place hundreds of orders
within seconds, past the per-account rate limits (lifted as in bench.settings) and past their
cards' daily spending limit (a voided hold still counts against the day). Everything else is
the demo's.
"""

from bench.settings import *  # noqa: F403

OKRYU_CARD_DAILY_LIMIT_WON = 10**12
