"""The demo settings for the benchmarks' app servers, with the rate limits lifted.

A benchmark sends thousands of requests from one loopback address and a few accounts within
seconds: it measures throughput, not abuse. Everything else is the demo's.
"""

from config.settings.demo import *  # noqa: F403

OKRYU_RATE_LIMITS = {
    name: (1_000_000, window_seconds)
    for name, (_count, window_seconds) in OKRYU_RATE_LIMITS.items()  # noqa: F405
}
