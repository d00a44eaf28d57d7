"""The default safety checklist (R17): what an inspection looks at, area by area.

The areas are seed 000's list, "加强门卫、消防、建筑、设备、医务室、饮用水、交通等安全管理，
定期排查及时消除隐患", with food hygiene from seed 004 ("切实消除交通、场地、消防、食品卫生、
安全保卫等方面的隐患") and the venues of activities from seeds 002 and 004 ("活动场所安全检查",
"场地"). A school adds its own items (`kehou.safety.models.ChecklistItem`); these defaults
are the same for every school, so they are a constant, not rows.

Pure Python: no Django. `_` only marks the English text for extraction; the pages show
it through gettext, so Chinese pages read Chinese and English pages English.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def _(text: str) -> str:
    return text


GATE = "gate"
FIRE = "fire"
BUILDINGS = "buildings"
EQUIPMENT = "equipment"
CLINIC = "clinic"
WATER = "water"
TRAFFIC = "traffic"
FOOD = "food"
VENUES = "venues"

# In the order of seed 000's list, then what seeds 002 and 004 add.
AREAS = (GATE, FIRE, BUILDINGS, EQUIPMENT, CLINIC, WATER, TRAFFIC, FOOD, VENUES)


@dataclass(frozen=True)
class DefaultItem:
    code: str  # stable: an inspection's result keeps it
    area: str
    text: str  # English; translated where shown

    @property
    def key(self) -> str:
        return item_key(default=self.code)


DEFAULT_ITEMS: tuple[DefaultItem, ...] = (
    DefaultItem("gate.register", GATE, _("Visitors are registered at the gate")),
    DefaultItem("gate.staffed", GATE, _("The gate is staffed while children are on site")),
    DefaultItem("gate.closed", GATE, _("Gates are closed outside arrival and collection")),
    DefaultItem("fire.extinguishers", FIRE, _("Fire extinguishers present and within date")),
    DefaultItem("fire.exits", FIRE, _("Escape routes and exits clear and unlocked")),
    DefaultItem("fire.signs", FIRE, _("Exit signs and emergency lights work")),
    DefaultItem("fire.hydrants", FIRE, _("Fire hydrants and hoses accessible and working")),
    DefaultItem("buildings.structure", BUILDINGS, _("No cracks, leaks or loose parts in rooms")),
    DefaultItem("buildings.railings", BUILDINGS, _("Stair and corridor railings firm")),
    DefaultItem("buildings.windows", BUILDINGS, _("Windows and doors sound; no falling risk")),
    DefaultItem("equipment.electric", EQUIPMENT, _("Wiring, sockets and switches safe")),
    DefaultItem("equipment.sports", EQUIPMENT, _("Sports equipment fixed and undamaged")),
    DefaultItem("equipment.labs", EQUIPMENT, _("Laboratory and workshop equipment safe")),
    DefaultItem("clinic.kit", CLINIC, _("First-aid kit complete and within date")),
    DefaultItem("clinic.staff", CLINIC, _("Someone trained in first aid is on site")),
    DefaultItem("clinic.medicines", CLINIC, _("Medicines stored safely and within date")),
    DefaultItem("water.source", WATER, _("Drinking water from a safe, covered source")),
    DefaultItem("water.dispensers", WATER, _("Water dispensers cleaned and filters changed")),
    DefaultItem("water.tests", WATER, _("Water test record up to date")),
    DefaultItem("traffic.crossing", TRAFFIC, _("Crossing at the school gate marked and guarded")),
    DefaultItem("traffic.collection", TRAFFIC, _("Collection area kept apart from vehicles")),
    DefaultItem("traffic.bus", TRAFFIC, _("School bus and driver licensed and inspected")),
    DefaultItem("food.licence", FOOD, _("Canteen or supplier licensed")),
    DefaultItem("food.samples", FOOD, _("Food samples kept for 48 hours")),
    DefaultItem("food.staff", FOOD, _("Kitchen staff hold health certificates")),
    DefaultItem("venues.floor", VENUES, _("Activity rooms and fields free of hazards")),
    DefaultItem("venues.capacity", VENUES, _("Rooms not used beyond their capacity")),
)

BY_CODE = {item.code: item for item in DEFAULT_ITEMS}


def item_key(*, default: str = "", own: int | None = None) -> str:
    """How a page and an inspection name an item: "d:<code>" for a default item,
    "s:<id>" for one of the school's own."""
    return f"d:{default}" if default else f"s:{own}"


def parse_key(key: str) -> tuple[str, int | None] | None:
    """(default code, None) or ("", own item id); None for anything else."""
    kind, _sep, rest = (key or "").partition(":")
    if kind == "d" and rest in BY_CODE:
        return rest, None
    if kind == "s" and rest.isdigit():
        return "", int(rest)
    return None


def is_overdue(*, deadline: dt.date, rectified: bool, closed: bool, today: dt.date) -> bool:
    """A defect is overdue when its deadline has passed and nobody recorded its
    rectification (once rectified it waits for the admin's verification, on time)."""
    return not rectified and not closed and deadline < today
