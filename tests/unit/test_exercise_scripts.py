"""The library of exercise scripts: every script fits the seed organisation, and the checks refuse a
broken script with a message naming the file and the field. Pure: no database."""

from datetime import timedelta

import pytest
import yaml

from coordination import SEED
from coordination.exercises.scripts import (
    ScriptError,
    check_against,
    due_injects,
    format_duration,
    library,
    load_script,
    parse_duration,
    parse_script,
)
from coordination.rules import RuleViolation


def _seed(name: str):
    return yaml.load(
        (SEED / name).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )


@pytest.fixture(scope="module")
def organisation() -> dict:
    missions = _seed("missions.yaml")
    people = _seed("people.yaml")
    return {
        "missions": {mission["code"] for mission in missions},
        "people": {person["email"] for person in people},
        "countries": {country["code"] for country in _seed("countries.yaml")}
        | {mission["host_country"] for mission in missions},
        "platforms": {
            mission["code"]: {seat["person"] for seat in mission["platform"]} for mission in missions
        },
        "clearances": {person["email"]: person.get("clearance", "unclassified") for person in people},
        "bodies": {body["slug"] for body in _seed("bodies.yaml")},
        "departments": {department["code"] for department in _seed("departments.yaml")},
    }


def _inject(key: str, at: str = "0m", **fields) -> dict:
    return {"key": key, "at": at, "mission": "KINSHASA", "title": f"Report {key}", **fields}


def _script(*injects: dict, **fields) -> dict:
    return {
        "key": "drill",
        "name": "Drill",
        "duration": "6h",
        "injects": list(injects) or [_inject("d-1")],
        **fields,
    }


def _write(tmp_path, name: str, data) -> object:
    path = tmp_path / name
    path.write_text(
        data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
    )
    return path


def _refused(data, tmp_path, name: str = "drill.yaml") -> str:
    with pytest.raises(ScriptError) as refused:
        load_script(_write(tmp_path, name, data))
    message = str(refused.value)
    assert message.startswith(name), message
    return message


# ----- the library -----


def test_every_library_script_loads_and_fits_the_seed_organisation(organisation):
    scripts = library()
    assert {"great-lakes-escalation", "sahel-consular-evacuation", "cyber-incident-mission"} <= set(scripts)
    for script in scripts.values():
        assert (
            check_against(
                script,
                organisation["missions"],
                organisation["people"],
                organisation["countries"],
                platforms=organisation["platforms"],
                clearances=organisation["clearances"],
                bodies=organisation["bodies"],
                departments=organisation["departments"],
            )
            == []
        )
        assert [inject.at for inject in script.injects] == sorted(inject.at for inject in script.injects)
        assert script.injects[0].at == timedelta(0) and script.injects[0].early_warning


def test_the_great_lakes_script_warns_again_unless_kinshasa_got_a_decision():
    script = library()["great-lakes-escalation"]
    assert script.duration == timedelta(hours=6)
    assert script.targets.first_triage == timedelta(minutes=30)
    assert script.targets.warning_to_decision == timedelta(hours=2)
    assert script.targets.decision_to_last_acknowledgement == timedelta(hours=3)
    conditional = [inject for inject in script.injects if inject.unless is not None]
    assert [
        (inject.at, inject.early_warning, inject.unless.decision_adopted_for) for inject in conditional
    ] == [(timedelta(hours=2), True, "mission:KINSHASA")]


def test_the_cyber_script_holds_confidential_injects():
    script = library()["cyber-incident-mission"]
    assert {inject.classification for inject in script.injects} == {"unclassified", "confidential"}


def test_library_refuses_a_file_named_otherwise_than_its_key(tmp_path):
    _write(tmp_path, "other-name.yaml", _script())
    with pytest.raises(ScriptError, match="other-name.yaml: key drill differs from the file name"):
        library(tmp_path)


# ----- durations -----


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0m", timedelta(0)),
        ("45m", timedelta(minutes=45)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("1d", timedelta(days=1)),
        (" 2H ", timedelta(hours=2)),
        ("14d", timedelta(days=14)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
    ],
)
def test_durations_read(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5m", "cannot be negative"),
        ("", "write a duration as"),
        ("soon", "write a duration as"),
        ("30", "write a duration as"),
        ("2 h", "write a duration as"),
        ("30m1h", "write a duration as"),
        ("1.5h", "write a duration as"),
        ("15d", "at most 14 days"),
        ("336h1s", "at most 14 days"),
        ("99999999d", "write a duration as"),
        (30, "write a duration as"),
        (None, "write a duration as"),
        (timedelta(minutes=-1), "cannot be negative"),
    ],
)
def test_durations_refused(value, message):
    with pytest.raises(ValueError, match=message):
        parse_duration(value)


def test_durations_written_back_read_the_same():
    for text in ("0m", "45m", "1h30m", "1d2h", "90s"):
        assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)
    assert format_duration(timedelta(minutes=90)) == "1h30m"


# ----- the checks, each with its message -----


def test_a_script_error_is_a_rule_violation_naming_the_field():
    with pytest.raises(RuleViolation) as refused:
        parse_script(_script(severity_of_all="high"), name="drill.yaml")
    assert refused.value.field == "severity_of_all"
    assert refused.value.status == 422


def test_duplicate_inject_keys_are_refused(tmp_path):
    message = _refused(_script(_inject("d-1"), _inject("d-1", "1h")), tmp_path)
    assert "injects: the key d-1 is used by more than one inject" in message


def test_an_inject_after_the_end_is_refused(tmp_path):
    message = _refused(_script(_inject("d-1"), _inject("d-2", "7h")), tmp_path)
    assert "injects: inject d-2 at 7h falls after the end of the exercise (6h)" in message


def test_an_exercise_of_no_time_is_refused(tmp_path):
    assert "duration: an exercise must last longer than 0m" in _refused(_script(duration="0m"), tmp_path)


def test_an_inject_at_the_very_end_is_accepted():
    script = parse_script(_script(_inject("d-1", "6h")))
    assert script.injects[0].at == script.duration


@pytest.mark.parametrize(
    "unit", ["KINSHASA", "mission:kinshasa", "embassy:KINSHASA", "body:Task Force", "body:"]
)
def test_a_badly_written_unit_is_refused(tmp_path, unit):
    message = _refused(_script(_inject("d-1", unless={"decision_adopted_for": unit})), tmp_path)
    assert "injects.0.unless.decision_adopted_for (d-1): name a unit as mission:CODE, body:slug" in message


@pytest.mark.parametrize("unit", ["mission:KINSHASA", "body:task-force-great-lakes", "department:FA"])
def test_well_written_units_are_accepted(unit):
    script = parse_script(_script(_inject("d-1", unless={"decision_adopted_for": unit})))
    assert script.injects[0].unless.decision_adopted_for == unit


def test_unknown_fields_are_refused_in_the_script_and_in_injects(tmp_path):
    message = _refused(_script(_inject("d-1", sevrity="high"), owner="someone"), tmp_path)
    assert "injects.0.sevrity (d-1): Extra inputs are not permitted" in message
    assert "owner: Extra inputs are not permitted" in message


def test_a_severity_a_report_would_refuse_is_refused(tmp_path):
    message = _refused(_script(_inject("d-1"), _inject("d-2", severity="severe")), tmp_path)
    assert (
        "injects.1.severity (d-2): Input should be 'info', 'low', 'medium', 'high' or 'critical'" in message
    )


def test_themes_and_classification_a_report_would_refuse_are_refused(tmp_path):
    message = _refused(_script(_inject("d-1", themes=["security"], classification="restricted")), tmp_path)
    assert "injects.0.themes.0 (d-1)" in message
    assert "injects.0.classification (d-1)" in message


def test_a_bad_duration_in_the_file_names_its_field(tmp_path):
    message = _refused(_script(_inject("d-1", "soon"), targets={"first_triage": "-5m"}), tmp_path)
    assert "injects.0.at (d-1): write a duration as 45m, 2h, 1h30m, 90s or 1d" in message
    assert "targets.first_triage: a duration cannot be negative" in message


def test_yaml_syntax_errors_name_the_file_and_the_line(tmp_path):
    message = _refused("key: drill\ninjects: [\n  - key: d-1\n", tmp_path, "broken.yaml")
    assert message.startswith("broken.yaml is not valid YAML at line")


def test_a_file_holding_no_mapping_is_refused(tmp_path):
    assert "must hold one script" in _refused("- key: drill\n", tmp_path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ScriptError, match="absent.yaml cannot be read"):
        load_script(tmp_path / "absent.yaml")


# ----- checked against the organisation -----


def test_check_against_names_what_the_organisation_does_not_know(organisation):
    script = parse_script(
        _script(
            _inject("d-1", mission="ATLANTIS", author="nobody@diplobel.example", country="XXX"),
            _inject("d-2", author="lies.lemmens@diplobel.example"),
            _inject("d-3", author="tom.pauwels@diplobel.example", classification="secret"),
            _inject("d-4", unless={"decision_adopted_for": "mission:ATLANTIS"}),
            _inject("d-5", unless={"decision_adopted_for": "body:task-force-atlantis"}),
            _inject("d-6", unless={"decision_adopted_for": "department:XX"}),
        )
    )
    problems = check_against(
        script,
        organisation["missions"],
        organisation["people"],
        organisation["countries"],
        platforms=organisation["platforms"],
        clearances=organisation["clearances"],
        bodies=organisation["bodies"],
        departments=organisation["departments"],
    )
    assert problems == [
        "inject d-1: no mission ATLANTIS",
        "inject d-1: no person nobody@diplobel.example",
        "inject d-1: no country XXX",
        "inject d-2: lies.lemmens@diplobel.example has no seat on the platform of KINSHASA",
        "inject d-3: tom.pauwels@diplobel.example (cleared confidential) cannot post a secret report",
        "inject d-4: unless names mission:ATLANTIS, which does not exist",
        "inject d-5: unless names body:task-force-atlantis, which does not exist",
        "inject d-6: unless names department:XX, which does not exist",
    ]


def test_check_against_weighs_only_what_it_is_given(organisation):
    script = parse_script(
        _script(
            _inject(
                "d-1",
                author="lies.lemmens@diplobel.example",
                classification="secret",
                unless={"decision_adopted_for": "body:anything"},
            )
        )
    )
    assert check_against(script, {"KINSHASA"}, {"lies.lemmens@diplobel.example"}, set()) == []


# ----- what falls due -----


def test_due_injects_come_in_order_of_time_and_leave_out_done_ones():
    script = parse_script(
        _script(
            _inject("late", "3h"),
            _inject("first", "0m"),
            _inject("tie-a", "1h"),
            _inject("tie-b", "1h"),
            _inject("second", "30m"),
        )
    )
    assert [inject.key for inject in script.injects] == ["first", "second", "tie-a", "tie-b", "late"]
    assert due_injects(script, timedelta(0), set()) == [script.injects[0]]
    assert [i.key for i in due_injects(script, timedelta(hours=1), set())] == [
        "first",
        "second",
        "tie-a",
        "tie-b",
    ]
    assert [i.key for i in due_injects(script, timedelta(hours=1), {"first", "tie-a"})] == ["second", "tie-b"]
    assert [
        i.key for i in due_injects(script, timedelta(hours=6), {"first", "second", "tie-a", "tie-b"})
    ] == ["late"]
    assert due_injects(script, timedelta(hours=6), {i.key for i in script.injects}) == []
