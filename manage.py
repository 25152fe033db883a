#!/usr/bin/env python3
"""Django's command-line utility for Okryu."""

import os
import sys


def main() -> None:
    """Run the management command named on the command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.demo")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  (after the settings default)

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
