"""Build `towns.json`: where the seeded missions' cities are, looked up once in the offline gazetteer.

A mission keeps where its city is (set when it is opened or moved, see `places.queries.town`). Reading the
gazetteer takes seconds of CPU and 30 MB that a process keeps: loading the seed should not pay it, so the
seeded missions' cities are looked up here, once. Run again when seed/missions.yaml changes:

    .venv/bin/python -m coordination.places.build_towns seed/missions.yaml
"""

import json
import sys
from pathlib import Path

import yaml

from coordination.places.queries import gazetteer_town

OUTPUT = Path(__file__).with_name("towns.json")


def build(missions: list[dict]) -> dict[str, dict[str, list[float] | None]]:
    """Longitude and latitude by host country and city; null for a city the gazetteer does not know (the
    mission then stands at its country's marker, without a look-up at run time)."""
    towns: dict[str, dict[str, list[float] | None]] = {}
    for mission in missions:
        found = gazetteer_town(mission["host_country"], mission["city"])
        if found is None:
            print(f"not found: {mission['city']} ({mission['host_country']})", file=sys.stderr)
        by_city = towns.setdefault(mission["host_country"], {})
        by_city[mission["city"]] = [round(v, 3) for v in found] if found else None
    return {code: dict(sorted(names.items())) for code, names in sorted(towns.items())}


def main(argv: list[str]) -> None:
    missions = yaml.safe_load(Path(argv[1]).read_text())
    OUTPUT.write_text(json.dumps(build(missions), separators=(",", ":")) + "\n")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
