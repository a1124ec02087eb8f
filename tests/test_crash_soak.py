"""bench/crash_soak.py --short: gunicorn killed with SIGKILL twice while 8 clients post 150 field reports
with Idempotency-Keys; every report is stored exactly once.

SQLite only: the run starts gunicorn three times, which is most of its cost, and what it guards (a retried
post with the same key is answered from the stored report, a killed transaction leaves nothing) is the
same code on both databases; `bench/crash_soak.py --database-url` runs it on PostgreSQL by hand.
"""

import shutil

import pytest

from bench import crash_soak
from tests import summary

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_no_report_is_lost_or_stored_twice_when_the_server_is_killed(seeded_template, tmp_path):
    path = tmp_path / "soak.db"
    shutil.copyfile(seeded_template, path)
    results = crash_soak.main(["--short", "--database-url", f"sqlite:///{path}"])
    summary.add(
        f"crash soak: {results['settings']['posts']} posts, {results['settings']['kills']} kills, "
        f"{results['sends']} sends in {results['seconds']} s: {results['lost']} lost, "
        f"{results['duplicated']} duplicated; gunicorn started in {results['server_starts_s']} s, "
        f"{results['server_cpu_s']} s CPU"
    )
    assert results["reports_stored"] == results["settings"]["posts"]
    assert results["lost"] == 0
    assert results["duplicated"] == 0
    assert results["answered_another_report"] == 0
    assert results["unexpected"] == {}
    assert results["sqlite_integrity"] == "ok"
    assert sum(results["retried"].values()) > 0  # the kills did cut posts short
