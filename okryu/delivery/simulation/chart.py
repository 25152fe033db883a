"""Draw a simulated day's delivery time by hour of the day as a PNG image, with Pillow."""

import math
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFont

from okryu.delivery.simulation.figures import HOURS_OF_THE_DAY, DayFigures

WIDTH_PIXELS, HEIGHT_PIXELS = 960, 600
LEFT, RIGHT, TOP = 70, 30, 60
# The upper panel shows delivery minutes, the lower one the orders placed per hour.
TIMES_BOTTOM, ORDERS_TOP, ORDERS_BOTTOM = 400, 440, 560
BACKGROUND, INK, GRID = "#ffffff", "#222222", "#dddddd"
P50_COLOUR, P90_COLOUR, ORDERS_COLOUR = "#1f5fa8", "#e07b00", "#9aa7b5"
BUSY_COLOUR = "#2e8b57"
MINUTES_STEPS = (10, 15, 20, 30, 60, 120, 180, 240, 360, 720)
GRID_LINES_MAX = 8


def _x(hour: float) -> float:
    """Return the x of the middle of ``hour``'s column."""
    width = (WIDTH_PIXELS - LEFT - RIGHT) / HOURS_OF_THE_DAY
    return LEFT + width * (hour + 0.5)


def _minutes_step(top_minutes: float) -> int:
    """Return a grid step that draws at most ``GRID_LINES_MAX`` lines up to ``top_minutes``."""
    return next(
        (step for step in MINUTES_STEPS if top_minutes / step <= GRID_LINES_MAX),
        MINUTES_STEPS[-1],
    )


def _draw_times(draw: ImageDraw.ImageDraw, figures: DayFigures) -> None:
    font = ImageFont.load_default(size=13)
    highest = max((h.delivery_minutes_p90 or 0.0 for h in figures.hours), default=0.0)
    step = _minutes_step(max(highest, 1.0))
    top_minutes = step * max(1, math.ceil(highest / step))

    def y(minutes: float) -> float:
        return TIMES_BOTTOM - (TIMES_BOTTOM - TOP) * minutes / top_minutes

    for minutes in range(0, top_minutes + 1, step):
        draw.line([(LEFT, y(minutes)), (WIDTH_PIXELS - RIGHT, y(minutes))], fill=GRID)
        draw.text(
            (LEFT - 8, y(minutes)), str(minutes), fill=INK, font=font, anchor="rm"
        )
    draw.text((12, TOP - 24), "minutes from order to hand-over", fill=INK, font=font)
    series = (
        (P90_COLOUR, [(h.hour, h.delivery_minutes_p90) for h in figures.hours]),
        (P50_COLOUR, [(h.hour, h.delivery_minutes_p50) for h in figures.hours]),
    )
    for colour, values in series:
        points = [
            (_x(hour), y(minutes)) for hour, minutes in values if minutes is not None
        ]
        if len(points) > 1:
            draw.line(points, fill=colour, width=3)
        for px, py in points:
            draw.ellipse([(px - 3, py - 3), (px + 3, py + 3)], fill=colour)
    legend_x = WIDTH_PIXELS - RIGHT - 230
    for index, (colour, label) in enumerate(
        ((P50_COLOUR, "median (p50)"), (P90_COLOUR, "p90"))
    ):
        legend_y = TOP - 30 + index * 16
        draw.line(
            [(legend_x, legend_y), (legend_x + 24, legend_y)], fill=colour, width=3
        )
        draw.text((legend_x + 30, legend_y), label, fill=INK, font=font, anchor="lm")


def _draw_orders(draw: ImageDraw.ImageDraw, figures: DayFigures) -> None:
    font = ImageFont.load_default(size=13)
    most = max((h.order_count for h in figures.hours), default=0) or 1
    half_width = (WIDTH_PIXELS - LEFT - RIGHT) / HOURS_OF_THE_DAY * 0.35
    for hour in figures.hours:
        height = (ORDERS_BOTTOM - ORDERS_TOP) * hour.order_count / most
        draw.rectangle(
            [
                (_x(hour.hour) - half_width, ORDERS_BOTTOM - height),
                (_x(hour.hour) + half_width, ORDERS_BOTTOM),
            ],
            fill=ORDERS_COLOUR,
        )
        draw.text(
            (_x(hour.hour), ORDERS_BOTTOM + 6),
            f"{hour.hour:02d}",
            fill=INK,
            font=font,
            anchor="mt",
        )
    draw.text(
        (12, ORDERS_TOP - 20),
        f"bars: orders placed per hour (most: {most:,}); "
        "green line: couriers busy, 0 to 100 %",
        fill=INK,
        font=font,
    )
    busy = [
        (
            _x(hour.hour),
            ORDERS_BOTTOM
            - (ORDERS_BOTTOM - ORDERS_TOP) * min(100.0, hour.busy_percent) / 100,
        )
        for hour in figures.hours
    ]
    draw.line(busy, fill=BUSY_COLOUR, width=2)


def draw_delivery_chart(figures: DayFigures, *, title: str, into: BinaryIO) -> None:
    """Write a PNG of delivery time (p50, p90) by hour the order was placed into ``into``,
    with the orders placed and the share of couriers busy per hour beneath."""
    image = Image.new("RGB", (WIDTH_PIXELS, HEIGHT_PIXELS), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((12, 10), title, fill=INK, font=ImageFont.load_default(size=16))
    _draw_times(draw, figures)
    _draw_orders(draw, figures)
    draw.text(
        (WIDTH_PIXELS / 2, HEIGHT_PIXELS - 14),
        "hour of the day the order was placed",
        fill=INK,
        font=ImageFont.load_default(size=13),
        anchor="mm",
    )
    image.save(into, format="PNG", optimize=True)
