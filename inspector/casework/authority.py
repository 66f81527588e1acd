"""Who acts, with which authority: jurisdiction levels, what a jurisdiction covers, and the acting user.

A jurisdiction is a 6-digit adcode: the province ``320000``, a city ``32xx00``
or a county. Its level decides which acceptance steps its reviewers may take
(the workflow's rule table, :mod:`inspector.casework.workflow`), and it
covers the cases attributed to it — the same on a device and on the sync
server, which both import these functions.

:class:`Actor` is the user a step is recorded for: an account signed in on
the device (``source`` ``server`` or ``local``) or, on a workspace without
accounts, the device's own local user (``source`` ``device``, shown as
本机用户 with the device id — never the operating-system login).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

PROVINCE_ADCODE = "320000"
PROVINCE, CITY, COUNTY = "province", "city", "county"  # jurisdiction levels
LEVELS = (PROVINCE, CITY, COUNTY)
LEVEL_NAMES = {PROVINCE: ("省级", "provincial"), CITY: ("市级", "city"), COUNTY: ("县级", "county")}
SERVER, LOCAL, DEVICE = "server", "local", "device"  # where an actor's identity comes from


def jurisdiction_level(adcode: str) -> str:
    """``province`` (xx0000), ``city`` (xxxx00) or ``county`` for a 6-digit adcode; ``ValueError`` otherwise."""
    if not isinstance(adcode, str) or len(adcode) != 6 or not adcode.isdigit():
        raise ValueError(f"not a 6-digit adcode: {adcode!r}")
    if adcode.endswith("0000"):
        return PROVINCE
    return CITY if adcode.endswith("00") else COUNTY


def covers(jurisdiction: Optional[str], city_adcode: Optional[str], county_adcode: Optional[str]) -> bool:
    """Whether a case attributed to this city/county lies inside ``jurisdiction`` (never for no jurisdiction)."""
    if not jurisdiction:
        return False
    level = jurisdiction_level(jurisdiction)
    if level == PROVINCE:
        return jurisdiction == PROVINCE_ADCODE
    if level == CITY:
        return city_adcode == jurisdiction
    return county_adcode == jurisdiction


def decides_at(jurisdiction: Optional[str], level: str, city_adcode: Optional[str],
               county_adcode: Optional[str]) -> bool:
    """Whether ``jurisdiction`` is the one that decides at ``level`` for a case in this city/county: the
    case's own county, its own city, or the province (no level acts for another)."""
    if not jurisdiction:
        return False
    try:
        own_level = jurisdiction_level(jurisdiction)
    except ValueError:
        return False
    return own_level == level and covers(jurisdiction, city_adcode, county_adcode)


@dataclass(frozen=True)
class Actor:
    """The user a step is recorded for, and the authority they act with."""

    user: str  # account name; ``device:<id>`` for the device's local user
    name: str  # display name, printed on forms and shown in history
    roles: tuple[str, ...]
    jurisdiction: Optional[str]  # adcode; ``None`` for the device's local user
    source: str  # SERVER, LOCAL or DEVICE
    expires_at: Optional[str] = None  # UTC ISO time the sign-in lapses; ``None`` for the device user

    @property
    def level(self) -> Optional[str]:
        return jurisdiction_level(self.jurisdiction) if self.jurisdiction else None

    @property
    def is_account(self) -> bool:
        return self.source != DEVICE
