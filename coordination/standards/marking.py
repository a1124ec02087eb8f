"""The classification marking written on exported documents (PDF pages, EDXL-SitRep titles).

A marking is a legal mark, not interface text: it is written in English, Dutch and French whatever the
reader's language, as Belgian classified documents carry it (law of 11 December 1998)."""

from coordination import playmode

MARKINGS = {
    "unclassified": "UNCLASSIFIED — NIET GECLASSIFICEERD — NON CLASSIFIÉ",
    "confidential": "CONFIDENTIAL — VERTROUWELIJK — CONFIDENTIEL",
    "secret": "SECRET — GEHEIM — SECRET",
    "top_secret": "TOP SECRET — ZEER GEHEIM — TRÈS SECRET",
}
RESTRICTED_DISTRIBUTION = "RESTRICTED DISTRIBUTION / BEPERKTE VERSPREIDING / DIFFUSION RESTREINTE"


def marking(classification: str, *, restricted_distribution: bool = False) -> str:
    """The marking of an item classified at a level (a `Clearance` value), with its distribution flag."""
    text = MARKINGS.get(str(classification), MARKINGS["top_secret"])
    text = f"{text} · {RESTRICTED_DISTRIBUTION}" if restricted_distribution else text
    return f"{playmode.EXERCISE_MARK} · {text}" if playmode.exercise_name() else text
