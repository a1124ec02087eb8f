"""The library of exercise scripts: scenarios of injects (reports posted from named missions at offsets in
exercise time), read from YAML and checked before a controller starts one.

Pure: nothing here reads the database. `check_against` compares a script with the organisation the
caller passes in; `due_injects` says what falls due; the scheduler posts the injects and decides on
their `unless` conditions.
"""

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import yaml
from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from coordination import SEED
from coordination.classification import Clearance
from coordination.reports.enums import Severity
from coordination.rules import RuleViolation
from coordination.structure.enums import Theme

LIBRARY = SEED / "exercises"
MAX_DURATION = timedelta(days=14)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DURATION = re.compile(r"(?:(\d{1,7})d)?(?:(\d{1,7})h)?(?:(\d{1,7})m)?(?:(\d{1,7})s)?")
_UNIT = re.compile(r"mission:[A-Z0-9-]{1,30}|body:[a-z0-9-]{1,80}|department:[A-Z0-9-]{1,20}")


class ScriptError(RuleViolation):
    """A script that cannot be read or that the checks refuse; the message names the file and the fields."""

    def __init__(self, message: str, field: str | None = None, *, path: Path | None = None):
        super().__init__(message, field)
        self.path = path


def parse_duration(value: str | timedelta) -> timedelta:
    """A duration written as `0m`, `45m`, `2h`, `1h30m`, `90s` or `1d`, between zero and 14 days."""
    if isinstance(value, timedelta):
        duration = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text.startswith("-"):
            raise ValueError(_("a duration cannot be negative"))
        found = _DURATION.fullmatch(text)
        if not text or not found:
            raise ValueError(_("write a duration as 45m, 2h, 1h30m, 90s or 1d"))
        days, hours, minutes, seconds = (int(part or 0) for part in found.groups())
        duration = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    else:
        raise ValueError(_("write a duration as 45m, 2h, 1h30m, 90s or 1d"))
    if duration < timedelta(0):
        raise ValueError(_("a duration cannot be negative"))
    if duration > MAX_DURATION:
        raise ValueError(_("a duration is at most 14 days"))
    return duration


def format_duration(duration: timedelta) -> str:
    """The short form `parse_duration` reads: 1h30m, 0m, 1d2h."""
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0m"


def _unit(value: str) -> str:
    if not _UNIT.fullmatch(value):
        raise ValueError(_("name a unit as mission:CODE, body:slug or department:CODE"))
    return value


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _trimmed(value):
    return value.strip() if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Slug = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Unit = Annotated[str, BeforeValidator(_trimmed), AfterValidator(_unit)]
MissionCode = Annotated[
    str, BeforeValidator(_upper), Field(min_length=1, max_length=30, pattern=r"^[A-Z0-9-]+$")
]
CountryCode = Annotated[str, BeforeValidator(_upper), Field(pattern=r"^[A-Z]{3}$")]
Email = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
    Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """Skip the inject when, since the start, a decision addressed to this unit has been adopted."""

    decision_adopted_for: Unit


class Targets(_Strict):
    """The times the evaluation measures against; each is optional."""

    first_triage: Duration | None = None
    warning_to_decision: Duration | None = None
    decision_to_last_acknowledgement: Duration | None = None


class Inject(_Strict):
    """A report the exercise posts from a mission `at` this offset after its start."""

    key: Slug
    at: Duration
    mission: MissionCode
    author: Email | None = Field(default=None, description="Defaults to the chair of the mission's platform")
    title: Annotated[str, BeforeValidator(_trimmed), Field(min_length=3, max_length=200)]
    body: str = Field(default="", max_length=20_000, description="Markdown")
    country: CountryCode | None = Field(default=None, description="Defaults to the mission's host country")
    severity: Severity = Severity.info
    early_warning: bool = False
    classification: Clearance = Clearance.unclassified
    restricted_distribution: bool = False
    themes: list[Theme] = Field(default_factory=list, max_length=len(Theme))
    unless: Condition | None = None

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, value: list[Theme]) -> list[Theme]:
        return list(dict.fromkeys(value))


class Script(_Strict):
    """A scenario: what happens when, and the targets the players' responses are measured against."""

    key: Slug
    name: Annotated[str, BeforeValidator(_trimmed), Field(min_length=3, max_length=200)]
    description: str = Field(default="", max_length=5_000, description="Markdown")
    duration: Duration
    targets: Targets = Targets()
    injects: list[Inject] = Field(min_length=1, max_length=500, description="Sorted by `at`")

    @field_validator("duration")
    @classmethod
    def _not_empty(cls, value: timedelta) -> timedelta:
        if not value:
            raise ValueError(_("an exercise must last longer than 0m"))
        return value

    @field_validator("injects")
    @classmethod
    def _consistent(cls, value: list[Inject], info: ValidationInfo) -> list[Inject]:
        seen: set[str] = set()
        for inject in value:
            if inject.key in seen:
                raise ValueError(_("the key %(key)s is used by more than one inject", key=inject.key))
            seen.add(inject.key)
        duration = info.data.get("duration")
        late = [inject for inject in value if duration is not None and inject.at > duration]
        if late:
            raise ValueError(
                _(
                    "inject %(key)s at %(at)s falls after the end of the exercise (%(duration)s)",
                    key=late[0].key,
                    at=format_duration(late[0].at),
                    duration=format_duration(duration),
                )
            )
        return sorted(value, key=lambda inject: inject.at)


def _located(error: dict, data) -> str:
    """`injects.2.severity (gl-3)`: the field path, with the inject's key when the file gives one."""
    path = ".".join(str(part) for part in error["loc"])
    if len(error["loc"]) >= 2 and error["loc"][0] == "injects" and isinstance(error["loc"][1], int):
        try:
            key = data["injects"][error["loc"][1]].get("key")
        except (AttributeError, IndexError, KeyError, TypeError):
            key = None
        if isinstance(key, str):
            path = f"{path} ({key})"
    return path


def _problems(exc: ValidationError, data) -> list[tuple[str, str]]:
    found = []
    for error in exc.errors():
        message = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
        found.append((_located(error, data), message))
    return found


def parse_script(data, *, name: str = "script") -> Script:
    """A script from already parsed YAML; `name` (a file name) heads every message."""
    try:
        return Script.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc, data)
        listed = "; ".join(f"{path}: {message}" for path, message in problems)
        raise ScriptError(f"{name}: {listed}", problems[0][0] or None) from exc


def load_script(path: Path | str) -> Script:
    """Read and check one script file."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise ScriptError(
            _("%(name)s cannot be read: %(reason)s", name=path.name, reason=exc.strerror), path=path
        ) from exc
    except UnicodeDecodeError as exc:
        raise ScriptError(_("%(name)s is not UTF-8 text", name=path.name), path=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is None:
            message = _("%(name)s is not valid YAML: %(problem)s", name=path.name, problem=problem)
        else:
            message = _(
                "%(name)s is not valid YAML at line %(line)s, column %(column)s: %(problem)s",
                name=path.name,
                line=mark.line + 1,
                column=mark.column + 1,
                problem=problem,
            )
        raise ScriptError(message, path=path) from exc
    if not isinstance(data, dict):
        raise ScriptError(
            _("%(name)s must hold one script: key, name, duration, injects", name=path.name), path=path
        )
    try:
        return parse_script(data, name=path.name)
    except ScriptError as exc:
        exc.path = path
        raise


_read: dict[
    Path, tuple[int, int, Script]
] = {}  # path -> (mtime_ns, size, script): a file is read again only when it changed


def _script_at(path: Path) -> Script:
    status = path.stat()
    known = _read.get(path)
    if known is not None and known[:2] == (status.st_mtime_ns, status.st_size):
        return known[2]
    script = load_script(path)
    _read[path] = (status.st_mtime_ns, status.st_size, script)
    return script


def library(directory: Path | str | None = None) -> dict[str, Script]:
    """Every script of the library folder (`seed/exercises/`), by key, in key order (each file parsed again
    only when it has changed: pages and the scheduler's tick ask often)."""
    directory = Path(directory) if directory is not None else LIBRARY
    scripts: dict[str, Script] = {}
    for path in sorted(directory.glob("*.yaml")):
        script = _script_at(path)
        if script.key != path.stem:
            raise ScriptError(
                _("%(name)s: key %(key)s differs from the file name", name=path.name, key=script.key),
                "key",
                path=path,
            )
        scripts[script.key] = script
    return dict(sorted(scripts.items()))


def check_against(
    script: Script,
    missions: set[str],
    people: set[str],
    countries: set[str],
    *,
    platforms: Mapping[str, Iterable[str]] | None = None,
    clearances: Mapping[str, str] | None = None,
    bodies: set[str] | None = None,
    departments: set[str] | None = None,
) -> list[str]:
    """What in the script the organisation does not know: mission codes, authors and countries; and, when
    given, authors without a seat on their mission's platform (`platforms`: mission code -> e-mails) or
    without the clearance their inject's classification needs (`clearances`: e-mail -> level), and bodies
    and departments that `unless` names. Empty when the script can start."""
    missions = {code.upper() for code in missions}
    people = {email.lower() for email in people}
    countries = {code.upper() for code in countries}
    seated = {code.upper(): {e.lower() for e in emails} for code, emails in (platforms or {}).items()}
    clearances = {email.lower(): level for email, level in (clearances or {}).items()}
    known_units = {"mission": missions, "body": bodies, "department": departments}
    problems = []
    for inject in script.injects:
        if inject.mission not in missions:
            problems.append(_("inject %(key)s: no mission %(code)s", key=inject.key, code=inject.mission))
        if inject.author is not None:
            if inject.author not in people:
                problems.append(_("inject %(key)s: no person %(email)s", key=inject.key, email=inject.author))
            elif platforms is not None and inject.author not in seated.get(inject.mission, set()):
                problems.append(
                    _(
                        "inject %(key)s: %(email)s has no seat on the platform of %(code)s",
                        key=inject.key,
                        email=inject.author,
                        code=inject.mission,
                    )
                )
            held = clearances.get(inject.author)
            if held is not None and not Clearance(held).covers(inject.classification):
                problems.append(
                    _(
                        "inject %(key)s: %(email)s (cleared %(clearance)s) cannot post a %(level)s report",
                        key=inject.key,
                        email=inject.author,
                        clearance=held,
                        level=inject.classification,
                    )
                )
        if inject.country is not None and inject.country not in countries:
            problems.append(_("inject %(key)s: no country %(code)s", key=inject.key, code=inject.country))
        if inject.unless is not None:
            kind, _colon, name = inject.unless.decision_adopted_for.partition(":")
            known = known_units[kind]
            if known is not None and name not in known:
                problems.append(
                    _(
                        "inject %(key)s: unless names %(unit)s, which does not exist",
                        key=inject.key,
                        unit=inject.unless.decision_adopted_for,
                    )
                )
    return problems


def due_injects(script: Script, elapsed: timedelta, done: set[str]) -> list[Inject]:
    """The injects due by `elapsed` exercise time that are not in `done` (posted or skipped), in order.
    Their `unless` conditions are the caller's to weigh."""
    return [inject for inject in script.injects if inject.at <= elapsed and inject.key not in done]
