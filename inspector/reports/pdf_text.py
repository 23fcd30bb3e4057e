"""Shop-floor names on the PDF's pages: cut to the room they have, and glyphs checked.

Names are typed by people and may be 200 characters long, in German, Polish, Turkish or
Japanese. A table cell or a caption measures its text with the font it is printed in
(counting characters would let "WWW" or "傷" run into the next column) and cuts it in the
middle with "…". Characters the PDF's font lacks print as empty boxes: the report says
so on its cover instead of leaving it to the reader to notice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font

from inspector.reports.types import Report

log = logging.getLogger(__name__)
ELLIPSIS = "…"


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in points of one line of ``text`` at ``size`` pt in the report's font."""
    renderer = RendererAgg(1, 1, 72)  # one per call: exports run in worker threads
    width, _height, _descent = renderer.get_text_width_height_descent(
        text, FontProperties(size=size, weight=weight), False
    )
    return float(width)


def fit_width(text: str, width: float, size: float, weight: str = "normal") -> str:
    """``text`` on one line, cut in the middle with "…" to at most ``width`` points; the
    end of a name (a number, a line) is kept, as names often differ only there."""
    text = " ".join(str(text).split())
    if text_width(text, size, weight) <= width:
        return text

    def cut(n: int) -> str:
        head = max(1, n * 3 // 5)
        return (
            text[:head].rstrip() + ELLIPSIS + (text[len(text) - (n - head) :] if n > head else "")
        )

    lo, hi = 0, len(text) - 1  # characters kept: lo always fits (or is the least there is)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(cut(mid), size, weight) <= width:
            lo = mid
        else:
            hi = mid - 1
    return cut(lo) if lo else ELLIPSIS


def wrap_width(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width`` points (a word longer than
    a line is split), at most ``max_lines`` of them, the last ending in "…" when more was
    left; no text gives one empty line. For the words people write (override reasons),
    which cutting to one cell loses."""
    lines: list[str] = []
    line = ""
    words = str(text).split()
    while words and len(lines) < max_lines:
        word = words.pop(0)
        trial = f"{line} {word}" if line else word
        if text_width(trial, size) <= width:
            line = trial
            continue
        if line:  # the word starts the next line
            lines.append(line)
            line = ""
            words.insert(0, word)
            continue
        cut = _longest_prefix(word, width, size)  # one word wider than a line
        lines.append(word[:cut])
        words.insert(0, word[cut:])
    if line and len(lines) < max_lines:
        lines.append(line)
    elif line or words:  # out of lines: the last one says that more was cut
        last = lines[-1]
        while last and text_width(last + ELLIPSIS, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return lines or [""]


def _longest_prefix(word: str, width: float, size: float) -> int:
    """How many leading characters of ``word`` fit in ``width`` points (at least one)."""
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(word[:mid], size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=4)
def _charmap(path: str) -> frozenset[int]:
    return frozenset(FT2Font(path).get_charmap())


def missing_glyphs(texts: Iterable[str]) -> list[str]:
    """The characters of ``texts`` that the report's font cannot draw, in order."""
    path = font_manager.findfont(FontProperties())
    known = _charmap(path)
    seen: dict[str, None] = {}
    for text in texts:
        for ch in text:
            if not ch.isspace() and ord(ch) not in known:
                seen.setdefault(ch)
    return list(seen)


def report_names(rep: Report) -> list[str]:
    """Every text of the report that came from the shop floor (names, reasons, filters)."""
    names = [v for pair in rep.filters.describe() for v in pair]
    for groups in (rep.per_shift, rep.by_operator, rep.by_station, rep.by_product,
                   rep.by_model):
        names += [g.key for g in groups]
    names += [c.key for c in rep.by_severity] + [p.defect_type for p in rep.pareto]
    for w in rep.worst:
        names += [w.defect_type or "", w.severity or "", w.operator or "", w.station or ""]
    for o in rep.overrides:
        names += [o.reason, o.by or ""]
    return names


def glyph_note(rep: Report, shown: int = 6) -> list[str]:
    """Lines for the cover when some names have characters the font lacks, else none."""
    missing = missing_glyphs(report_names(rep))
    if not missing:
        return []
    log.warning("the PDF's font lacks %d characters of the report's names", len(missing))
    codes = " ".join(f"U+{ord(ch):04X}" for ch in missing[:shown])  # the glyphs would be boxes
    more = f" and {len(missing) - shown} more" if len(missing) > shown else ""
    return [
        f"Note: the PDF's font lacks {len(missing)} characters used in names ({codes}{more});",
        "they print as empty boxes. The CSV and Excel exports keep every name whole.",
    ]
