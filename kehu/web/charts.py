"""Server-side SVG charts: geometry worked out here, drawn by templates (web/charts/*.html).

No JavaScript and no external assets: the charts show without scripts, print, and each
shape carries a <title> with its figure; every chart is followed by the same figures as a
table. Coordinates are in the SVG's own units (the viewBox), the SVG scales to its box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 170
VALUE_WIDTH = 110
ROW_HEIGHT = 26
BAR_HEIGHT = 18
BRAND = "#3b5bdb"


@dataclass(frozen=True)
class Row:
    """One thing to draw: its label, its size, the figure shown beside it."""

    label: str
    value: float
    shown: str
    color: str = BRAND


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    color: str
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one row each, scaled to the largest value."""

    bars: list[Bar]
    width: int
    height: int
    bar_x: int
    bar_height: int

    @property
    def label_x(self) -> int:
        return self.bar_x - 8

    @property
    def empty(self) -> bool:
        return not self.bars


def bar_chart(rows: Sequence[Row]) -> BarChart:
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max((r.value for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        y = i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        width = round(span * max(row.value, 0) / top, 1)
        width = max(width, 1.0 if row.value > 0 else 0.0)  # a non-zero figure stays visible
        bars.append(Bar(row.label, row.shown, row.color, y, width, i * ROW_HEIGHT + ROW_HEIGHT / 2 + 4,
                        LABEL_WIDTH + width + 6))
    return BarChart(bars, WIDTH, max(len(rows), 1) * ROW_HEIGHT, LABEL_WIDTH, BAR_HEIGHT)


@dataclass(frozen=True)
class Column:
    label: str
    shown: str
    x: float
    y: float
    width: float
    height: float
    label_x: float

    @property
    def value_y(self) -> float:
        return self.y - 4


@dataclass(frozen=True)
class ColumnChart:
    """Vertical columns side by side (a histogram): labels under, figures over each column."""

    columns: list[Column]
    width: int
    height: int
    base_y: int
    label_y: int


COLUMN_AREA = 180


def column_chart(rows: Sequence[Row]) -> ColumnChart:
    top = max((r.value for r in rows), default=0) or 1
    slot = WIDTH / max(len(rows), 1)
    base = COLUMN_AREA + 20
    columns = []
    for i, row in enumerate(rows):
        height = round(COLUMN_AREA * max(row.value, 0) / top, 1)
        if row.value > 0:
            height = max(height, 1.0)
        x = i * slot + slot * 0.12
        columns.append(Column(row.label, row.shown, round(x, 1), base - height, round(slot * 0.76, 1), height,
                              round(i * slot + slot / 2, 1)))
    return ColumnChart(columns, WIDTH, base + 36, base, base + 16)


@dataclass(frozen=True)
class Cell:
    row_label: str
    column_label: str
    count: int
    x: int
    y: int
    opacity: float
    dark: bool  # light text on a dark cell
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Heatmap:
    cells: list[Cell]
    row_labels: list[tuple[str, int]]  # (label, y)
    column_labels: list[tuple[str, int]]  # (label, x)
    size: int
    width: int
    height: int
    origin_x: int

    @property
    def cell_size(self) -> int:
        return self.size - 2

    @property
    def row_label_x(self) -> int:
        return self.origin_x - 10

    @property
    def column_label_y(self) -> int:
        return self.height - 4


def heatmap(grid: Sequence[Sequence[int]], row_labels: Sequence[str], column_labels: Sequence[str],
            size: int = 56) -> Heatmap:
    """`grid[i][j]`: the count at row i, column j; shade by count against the largest."""
    top = max((n for row in grid for n in row), default=0) or 1
    origin_x, origin_y = 40, 8
    cells = []
    for i, row in enumerate(grid):
        for j, count in enumerate(row):
            share = count / top
            x, y = origin_x + j * size, origin_y + i * size
            cells.append(Cell(row_labels[i], column_labels[j], count, x, y,
                              round(0.08 + 0.92 * share, 3) if count else 0.0, share > 0.55,
                              x + (size - 2) // 2, y + (size - 2) // 2 + 5))
    rows_y = [(label, origin_y + i * size + size // 2 + 4) for i, label in enumerate(row_labels)]
    columns_x = [(label, origin_x + j * size + size // 2) for j, label in enumerate(column_labels)]
    width = origin_x + size * len(column_labels) + 4
    height = origin_y + size * len(row_labels) + 22
    return Heatmap(cells, rows_y, columns_x, size, width, height, origin_x)
