"""Small SVG charts drawn on the server: no script, a few hundred bytes, readable on a phone.

Each chart is a ``viewBox`` drawing that scales to its box, with a ``<title>`` for screen
readers; bars are one ``<path>`` per series (one element, however many days), so 90 days
cost about as much as a sentence of text.
"""

from collections.abc import Sequence
from html import escape

WIDTH = 360
HEIGHT = 96
PAD = 2


def _scale(values: Sequence[float], top: float) -> list[float]:
    return [HEIGHT - PAD - (value / top) * (HEIGHT - 2 * PAD) for value in values]


def bars_svg(*, sold: Sequence[int], unmet: Sequence[int], label: str) -> str:
    """Stacked daily bars: sold (dark) with unmet demand (orange) on top."""
    assert len(sold) == len(unmet) > 0
    top = max([*(s + u for s, u in zip(sold, unmet, strict=True)), 1])
    step = WIDTH / len(sold)
    width = max(step - 1, 1)
    sold_path, unmet_path = [], []
    for index, (s, u) in enumerate(zip(sold, unmet, strict=True)):
        x = index * step
        base = HEIGHT - PAD
        sold_top = _scale([s], top)[0]
        both_top = _scale([s + u], top)[0]
        if s:
            sold_path.append(f"M{x:.1f} {base}V{sold_top:.1f}h{width:.1f}V{base}z")
        if u:
            unmet_path.append(
                f"M{x:.1f} {sold_top:.1f}V{both_top:.1f}h{width:.1f}V{sold_top:.1f}z"
            )
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="none"><title>{escape(label)}</title>'
        f'<path fill="#2b4c7e" d="{"".join(sold_path)}"/>'
        f'<path fill="#e07b24" d="{"".join(unmet_path)}"/></svg>'
    )


def forecast_svg(
    *,
    history: Sequence[float],
    units: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    label: str,
) -> str:
    """The recent demand as a line, then the forecast line within its shaded interval."""
    assert history
    assert len(units) == len(low) == len(high) > 0
    top = max([*history, *high, 1])
    count = len(history) + len(units)
    step = WIDTH / max(count - 1, 1)

    def points(values: Sequence[float], offset: int) -> list[str]:
        ys = _scale(values, top)
        return [f"{(offset + i) * step:.1f} {y:.1f}" for i, y in enumerate(ys)]

    past = points(history, 0)
    start = len(history)
    band = points(high, start) + list(reversed(points(low, start)))
    future = [past[-1], *points(units, start)]
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="none"><title>{escape(label)}</title>'
        f'<path fill="#e5e9f0" d="M{"L".join(band)}z"/>'
        f'<path fill="none" stroke="#2b4c7e" stroke-width="1.5" d="M{"L".join(past)}"/>'
        f'<path fill="none" stroke="#e07b24" stroke-width="1.5" stroke-dasharray="4 2" '
        f'd="M{"L".join(future)}"/></svg>'
    )
