"""Holiday dates kept between runs, in the user's cache folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path

import platformdirs

HOLIDAY_CACHE = "holidays.json"  # in the user's cache folder (see kept_holidays)


@contextmanager
def kept_holidays(path: Path | None = None) -> Iterator[None]:
    """Holiday dates kept between runs: each `calldesk next` or app start would compute them
    again (~0.1 s: the holidays package loads a module per country). Keyed by that package's
    version. A cache file that can't be read or written is passed over: it only saves time."""
    from importlib.metadata import version

    from calldesk.rules.windows import give_holidays, holidays_known

    path = path or platformdirs.user_cache_path("calldesk", appauthor=False) / HOLIDAY_CACHE
    stamp = version("holidays")
    given: dict[tuple[str, int], list[date]] = {}
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["holidays"] == stamp:
            given = {(country, int(year)): [date.fromisoformat(day) for day in days]
                     for country, years in kept["dates"].items() for year, days in years.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        given = {}  # none yet, or not ours to trust
    give_holidays(given)
    try:
        yield
    finally:
        known = holidays_known()
        if known.keys() - given.keys():
            dates: dict[str, dict[str, list[str]]] = {}
            for (country, year), days in sorted(known.items()):
                dates.setdefault(country, {})[str(year)] = sorted(day.isoformat() for day in days)
            from calldesk.db.files import replacing

            with suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
                with replacing(path, encoding="utf-8") as handle:  # whole or not at all, whichever writes last
                    handle.write(json.dumps({"holidays": stamp, "dates": dates}))
