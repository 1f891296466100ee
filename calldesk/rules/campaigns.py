"""Clients and campaigns: the settings each may change, layered over the desk's config.

An agency calls for several clients; each client's calling projects are campaigns. The config's
sections LAYERED_SECTIONS are layered desk config → client → campaign: the client's and the
campaign's settings are TOML text of the same schema as the config file, any subset of those
sections and keys. Tables merge key by key; a list or a value replaces the one below it.
Pure: takes text and mappings, returns plain data or a Config, or raises CalldeskError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

import tomli_w
from pydantic import BaseModel

from calldesk.errors import CalldeskError
from calldesk.i18n import _, format_day
from calldesk.rules.config import Config, config_data, load_toml, validate_config
from calldesk.rules.kinds import CampaignStatus
from calldesk.rules.script import parse_script

__all__ = [
    "LAYERED_SECTIONS",
    "ORIGINS",
    "Layered",
    "check_campaign_script",
    "layer",
    "leaf_keys",
    "merge",
    "parse_settings",
    "why_not_offered",
]

LAYERED_SECTIONS: tuple[str, ...] = ("calling_hours", "icp", "warmth", "retry", "qualification", "daily_goal")
ORIGINS: tuple[str, ...] = ("desk", "client", "campaign")  # lowest layer first


@cache
def leaf_keys() -> tuple[str, ...]:
    """Every key the layers may set, in the config's order: "calling_hours.start", …, "daily_goal"."""
    keys: list[str] = []
    for section in LAYERED_SECTIONS:
        kind = Config.model_fields[section].annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys += [f"{section}.{name}" for name in kind.model_fields]
        else:
            keys.append(section)
    return tuple(keys)


def _check_sections(data: Mapping[str, Any], source: str) -> None:
    for key in data:
        if key not in LAYERED_SECTIONS:
            raise CalldeskError(_("{source}: {key}: not a campaign setting (campaign settings: {sections})").format(
                source=source, key=key, sections=", ".join(LAYERED_SECTIONS)))


def merge(below: Mapping[str, Any], above: Mapping[str, Any]) -> dict[str, Any]:
    """`above` over `below`: tables merge key by key, anything else (lists too) replaces."""
    merged = dict(below)
    for key, value in above.items():
        under = merged.get(key)
        if isinstance(value, Mapping) and isinstance(under, Mapping):
            merged[key] = merge(under, value)
        else:
            merged[key] = value
    return merged


def parse_settings(text: str, source: str, *, base: Config | None = None) -> dict[str, Any]:
    """A client's or campaign's settings: TOML text → the plain dict the text holds ({} for
    none). Checked by layering it over `base` (the default Config unless given): a
    CalldeskError reads as parse_config's, "SOURCE: calling_hours.start: …"."""
    data = load_toml(text, source)
    _check_sections(data, source)
    validate_config(merge(config_data(base or Config()), data), source)
    return data


def _sets(settings: Mapping[str, Any], key: str) -> bool:
    section, _dot, name = key.partition(".")
    if section not in settings:
        return False
    table = settings[section]
    return not name or (isinstance(table, Mapping) and name in table)


def _literal(value: Any) -> str:
    """One value as a config file writes it, on one line: "09:00", 3, true, ["mon", "tue"]."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


@dataclass(frozen=True)
class Layered:
    """The desk's config with a client's and a campaign's settings over it, and for each
    layered key which of them set it."""

    config: Config
    # leaf key → "desk" / "client" / "campaign"; a mapping has no hash, equality compares it.
    origins: Mapping[str, str] = field(hash=False)

    def origin(self, key: str) -> str:
        """Who set a leaf key ("calling_hours.start", "daily_goal"): desk, client or campaign."""
        try:
            return self.origins[key]
        except KeyError:
            raise KeyError(f"{key!r} is not a layered key (see campaigns.leaf_keys)") from None

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, value as the config file writes it, origin) for every layered key, in order;
        the value is "" for a key left unset (icp.max_employees without a bound), which a file
        leaves out."""
        data = config_data(self.config)
        rows: list[tuple[str, str, str]] = []
        for key in self.origins:
            section, _dot, name = key.partition(".")
            value = data[section].get(name) if name else data.get(section)
            rows.append((key, "" if value is None else _literal(value), self.origins[key]))
        return rows


def layer(desk: Config, client: Mapping[str, Any], campaign: Mapping[str, Any], *,
          client_source: str = "client", campaign_source: str = "campaign") -> Layered:
    """The campaign's config: `campaign` over `client` over the desk's config.

    A CalldeskError names the layer at fault: the client's source when the client's settings
    are bad over the desk's (and the campaign does not make them whole), else the campaign's.
    """
    _check_sections(client, client_source)
    _check_sections(campaign, campaign_source)
    over_client = merge(config_data(desk), client)
    try:
        config = validate_config(merge(over_client, campaign), campaign_source)
    except CalldeskError:
        validate_config(over_client, client_source)  # the client's own settings bad: that error
        raise
    origins: dict[str, str] = {}
    for key in leaf_keys():
        origins[key] = "campaign" if _sets(campaign, key) else "client" if _sets(client, key) else "desk"
    return Layered(config, MappingProxyType(origins))


def check_campaign_script(text: str, source: str) -> str:
    """A campaign's BANT script: the text, once parse_script reads it (errors name `source`)."""
    parse_script(text, source)
    return text


def why_not_offered(name: str, status: CampaignStatus, starts_on: date | None, ends_on: date | None,
                    today: date) -> str | None:
    """None when the campaign offers its leads `today`, else why not, in the UI language.
    `starts_on` and `ends_on` (None: open) are both days of the campaign."""
    if status == CampaignStatus.paused:
        return _("campaign {name} is paused").format(name=name)
    if status == CampaignStatus.archived:
        return _("campaign {name} is archived").format(name=name)
    if starts_on is not None and today < starts_on:
        return _("campaign {name} starts on {date}").format(name=name, date=format_day(starts_on, year=today.year))
    if ends_on is not None and today > ends_on:
        return _("campaign {name} ended on {date}").format(name=name, date=format_day(ends_on, year=today.year))
    return None
