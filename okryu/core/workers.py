"""What every long-running worker command shares: stopping cleanly."""

import signal
from collections.abc import Callable
from types import FrameType


def _raise_keyboard_interrupt(signal_number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_until_stopped(loop: Callable[[], None]) -> None:
    """Run a worker's ``loop`` until Ctrl-C or SIGTERM, and treat either as a clean stop.

    A supervisor (``manage.py serve``) stops its workers with SIGTERM; each claim and send
    runs in its own transaction, so stopping between two statements loses nothing.
    """
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        loop()
    except KeyboardInterrupt:
        return
