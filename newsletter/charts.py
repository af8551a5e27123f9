"""Bar charts as SVG written on the server: no script, nothing fetched, colours as attributes
(the admin's CSP allows no inline style). Each chart is a picture with a title for screen
readers (role="img"); the numbers themselves are in the table printed beside it."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 40
BAR = "#417690"  # the admin's own blue
OVER = "#ba2121"  # the admin's error red
LINE = "#ba2121"


def _scale_top(values, line):
    top = max([*values, line or 0, 0])
    return top or 1


def bar_chart(*, chart_id, title, bars, line=None, line_label="", percent=False):
    """`bars`: (label, value, highlighted) triples; `line`: a value drawn across as a limit."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale_top([value for _, value, _ in bars], line)
    step = inner_w / max(len(bars), 1)
    every = max(1, round(len(bars) / 10))  # at most ~10 labels under the bars

    def y(value):
        return TOP + inner_h - inner_h * value / top

    def shown(value):
        return f"{value * 100:.2f}%" if percent else f"{value:,}"

    rects = format_html_join(
        "\n",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                f"{LEFT + n * step + step * 0.15:.1f}",
                f"{y(value):.1f}",
                f"{step * 0.7:.1f}",
                f"{TOP + inner_h - y(value):.1f}",
                OVER if highlighted else BAR,
                label,
                shown(value),
            )
            for n, (label, value, highlighted) in enumerate(bars)
        ),
    )
    labels = format_html_join(
        "\n",
        '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
        (
            (f"{LEFT + n * step + step / 2:.1f}", HEIGHT - BOTTOM + 16, label)
            for n, (label, _, _) in enumerate(bars)
            if n % every == 0 or n == len(bars) - 1
        ),
    )
    limit = ""
    if line is not None:
        limit = format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-dasharray="6 4"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            f"{y(line):.1f}",
            f"{y(line):.1f}",
            LINE,
            WIDTH - RIGHT,
            f"{y(line) - 4:.1f}",
            LINE,
            line_label,
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-labelledby="{id}-title" class="figure-chart" id="{id}">'
        '<title id="{id}-title">{title}</title>'
        '<line x1="{l}" x2="{r}" y1="{b}" y2="{b}" stroke="#999"/>'
        '<text x="{tx}" y="{ty}" text-anchor="end" font-size="11">{top}</text>'
        '<text x="{tx}" y="{b}" text-anchor="end" font-size="11">0</text>'
        "{rects}{limit}{labels}</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        l=LEFT,
        r=WIDTH - RIGHT,
        b=TOP + HEIGHT - TOP - BOTTOM,
        tx=LEFT - 6,
        ty=TOP + 4,
        top=shown(top),
        rects=rects or mark_safe(""),  # noqa: S308 (empty)
        limit=limit,
        labels=labels or mark_safe(""),  # noqa: S308 (empty)
    )
