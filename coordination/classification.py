"""Classification levels and the need-to-know policy: the vocabulary every area's queries share.

Levels follow the Belgian law of 11 December 1998. Information from a restricted origin (Defence,
including its intelligence service) is shared only with the departments of the sharing group; the
marking *restricted distribution* (Beperkte Verspreiding) is a flag on the item, not a level.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Clearance(StrEnum):
    """Security clearance and classification levels (Belgian law of 11 December 1998)."""

    unclassified = "unclassified"
    confidential = "confidential"  # Vertrouwelijk / Confidentiel
    secret = "secret"  # Geheim / Secret
    top_secret = "top_secret"  # Zeer Geheim / Très Secret

    @property
    def rank(self) -> int:
        return list(Clearance).index(self)

    def covers(self, level: "Clearance | str") -> bool:
        """True if a person with this clearance may see an item classified at `level`."""
        return self.rank >= Clearance(level).rank


def levels_within(clearance: Clearance | str) -> list[str]:
    """The classification levels a person with this clearance may see."""
    held = Clearance(clearance)
    return [level.value for level in Clearance if held.covers(level)]


def highest(levels: Iterable[Clearance | str]) -> Clearance:
    """The highest of some levels (unclassified when there are none): what a text quoting them carries."""
    return max((Clearance(level) for level in levels), key=lambda c: c.rank, default=Clearance.unclassified)


@dataclass(frozen=True)
class NeedToKnow:
    """Information from these origin departments is shared only with the departments of the sharing group."""

    restricted_origins: frozenset[str] = frozenset({"DEF"})
    sharing_group: frozenset[str] = frozenset({"FA", "DEF"})

    @classmethod
    def from_config(cls, config) -> "NeedToKnow":
        return cls(
            restricted_origins=frozenset(config["NEED_TO_KNOW_RESTRICTED_ORIGINS"]),
            sharing_group=frozenset(config["NEED_TO_KNOW_SHARING_GROUP"]),
        )

    def shares(self, department_code: str, origins: Iterable[str]) -> bool:
        """Whether a person of this department may see information from all these origins."""
        return department_code in self.sharing_group or not (set(origins) & self.restricted_origins)
