"""A small PNG chart of a member's last days: bars for answers, a line for accuracy. Pillow draws
it in memory, so no display server is needed."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from bot.domain import DayCounts

WIDTH, HEIGHT, MARGIN = 600, 220, 28
BAR = (88, 101, 242)
LINE = (59, 165, 93)
GRID = (220, 222, 227)
INK = (79, 84, 92)


def activity_chart(
    days: Sequence[DayCounts],
    *,
    title: str | None = None,
    first: str = "older",
    last: str = "today",
) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    top = max((d.attempts for d in days), default=0) or 1
    for fraction in (0.0, 0.5, 1.0):
        y = MARGIN + plot_h * (1 - fraction)
        draw.line([(MARGIN, y), (WIDTH - MARGIN, y)], fill=GRID)
    slot = plot_w / max(1, len(days))
    points = []
    for index, day in enumerate(days):
        x0 = MARGIN + index * slot + slot * 0.15
        x1 = MARGIN + (index + 1) * slot - slot * 0.15
        height = plot_h * day.attempts / top
        if day.attempts:
            draw.rectangle([(x0, MARGIN + plot_h - height), (x1, MARGIN + plot_h)], fill=BAR)
            accuracy = day.correct / day.attempts
            points.append(((x0 + x1) / 2, MARGIN + plot_h * (1 - accuracy)))
    if len(points) > 1:
        draw.line(points, fill=LINE, width=3)
    for x, y in points:
        draw.ellipse([(x - 3, y - 3), (x + 3, y + 3)], fill=LINE)
    heading = title or f"last {len(days)} days"
    draw.text((MARGIN, 6), f"answers per day (max {top}) and accuracy, {heading}", fill=INK)
    draw.text((MARGIN, HEIGHT - MARGIN + 8), first, fill=INK)
    draw.text((WIDTH - MARGIN - 6 * len(last), HEIGHT - MARGIN + 8), last, fill=INK)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
