"""The scheduler's jobs. Each takes an injected clock (`now`), is idempotent (it marks what it has done),
and runs under a database lease (see lock.py) so that two schedulers never do the same work."""

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session

from coordination import playmode
from coordination.alerts import service as alerts
from coordination.classification import NeedToKnow
from coordination.decisions import queries as decisions
from coordination.decisions.flows import decision_link, issuing_managers
from coordination.exercises import queries as exercise_queries
from coordination.exercises import service as exercises
from coordination.i18n import language_of, local_time
from coordination.notifications import service as notifications
from coordination.notifications.enums import EmailPreference
from coordination.notifications.mail import Mailer
from coordination.planning import roster
from coordination.reports import service as reports
from coordination.structure import service as structure_service
from coordination.structure.enums import MembershipRole

if TYPE_CHECKING:
    from coordination.decisions.models import Addressee, Decision
    from coordination.structure.models import Person

DUE_SOON = timedelta(days=2)
log = logging.getLogger(__name__)


def _readers(session: Session, decision: "Decision", people: list["Person"]) -> list["Person"]:
    """Of these people, those who may see the decision: nobody is told of what they may not see."""
    readers = decisions.readers_among(session=session, decision=decision, person_ids=[p.id for p in people])
    return [p for p in people if p.id in readers]


def _mail_unit(
    session: Session, mailer: Mailer, people: list["Person"], message: Callable[[], tuple[str, str]]
) -> None:
    """One e-mail for a unit, to those of its people who have not turned e-mail off: one per language,
    with the subject and body that `message()` writes in it."""
    prefs = notifications.preferences(session=session, person_ids={p.id for p in people})
    by_language: dict[str, list[str]] = defaultdict(list)
    for person in people:
        if prefs[person.id] != EmailPreference.off:
            by_language[language_of(person)].append(person.email)
    session.commit()  # end the read: no transaction (nor SQLite's write lock) stays open for SMTP
    for language, to in sorted(by_language.items()) or [("en", [])]:
        with force_locale(language):
            subject, body = message()
        mailer.send(to=to, subject=subject, body=body)


def remind_acknowledgements(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """At half the acknowledgement deadline, one reminder per unacknowledged unit (never twice)."""
    reminded = 0
    for addressee, decision in decisions.pending_addressees(session=session):
        if addressee.reminded_at is not None or decision.acknowledgement_due_at is None:
            continue
        halfway = decision.adopted_at + (decision.acknowledgement_due_at - decision.adopted_at) / 2
        if not halfway <= now < decision.acknowledgement_due_at:
            continue
        unit = decisions.units_of(session=session, addressees=[addressee])[addressee.id]
        people = _readers(session, decision, decisions.answering_people(session=session, unit=unit))
        link = f"{base_url.rstrip('/')}{decision_link(decision)}"

        def reminder(unit=unit, decision=decision) -> tuple[str, str]:
            title = _(
                "Reminder: %(unit)s has not yet acknowledged: %(title)s",
                unit=unit.label,
                title=decision.title,
            )
            return title, _("Due %(time)s.", time=local_time(decision.acknowledgement_due_at))

        # Mark first: a crash after sending must not send a second reminder.
        addressee.reminded_at = now
        session.add(addressee)
        session.commit()
        # In-app for each person; the e-mail goes once for the whole unit, just below.
        notifications.notify_in_their_language(
            session=session,
            person_ids={p.id for p in people},
            kind="decision.reminder",
            message=lambda reminder=reminder: (reminder()[0], ""),
            link=decision_link(decision),
            now=now,
            mail=False,
        )
        _mail_unit(
            session,
            mailer,
            people,
            lambda reminder=reminder, link=link: (
                f"[Coordination] {reminder()[0]}",
                f"{reminder()[1]}\n{link}",
            ),
        )
        reminded += 1
    return reminded


def escalate_overdue_acknowledgements(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """Past the deadline, alert the issuing body's chair once per decision with the units still missing."""
    missing: dict[int, list[Addressee]] = defaultdict(list)
    decisions_by_id: dict[int, Decision] = {}
    for addressee, decision in decisions.pending_addressees(session=session):
        if (
            addressee.escalated_at is None
            and decision.acknowledgement_due_at
            and now >= decision.acknowledgement_due_at
        ):
            missing[decision.id].append(addressee)
            decisions_by_id[decision.id] = decision
    for decision_id, addressees in missing.items():
        decision = decisions_by_id[decision_id]
        units = decisions.units_of(session=session, addressees=addressees)
        for addressee in addressees:
            addressee.escalated_at = now
            session.add(addressee)
        session.commit()
        chairs = issuing_managers(session=session, decision=decision, roles={MembershipRole.chair})
        labels = ", ".join(sorted(u.label for u in units.values()))
        created = notifications.notify_in_their_language(
            session=session,
            person_ids=chairs,
            kind="decision.escalation",
            message=lambda decision=decision, labels=labels: (
                _("Acknowledgement overdue for: %(title)s", title=decision.title),
                _("Still missing: %(units)s.", units=labels),
            ),
            link=decision_link(decision),
            now=now,
        )
        notifications.send_pending(
            session=session, mailer=mailer, base_url=base_url, now=now, ids=[n.id for n in created]
        )
    return len(missing)


def remind_actions(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """Remind owners of actions due within two days, and once more when they are overdue."""
    today = now.date()
    sent = 0
    for action in decisions.open_actions(session=session):
        if action.due_on < today and action.reminded_overdue_at is None:
            action.reminded_overdue_at = now
            kind = "action.overdue"
        elif today <= action.due_on <= today + DUE_SOON and action.reminded_due_soon_at is None:
            action.reminded_due_soon_at = now
            kind = "action.due_soon"
        else:
            continue
        session.add(action)
        session.commit()
        if action.owner_person_id:
            owners = {action.owner_person_id}
        else:
            unit = decisions.unit_of_action(session=session, action=action)
            owners = {p.id for p in decisions.answering_people(session=session, unit=unit)}
        owners = decisions.readers_among(
            session=session, decision=decisions.decision_of(session=session, action=action), person_ids=owners
        )
        created = notifications.notify_in_their_language(
            session=session,
            person_ids=owners,
            kind=kind,
            message=lambda kind=kind, action=action: (_action_reminder(kind, action), ""),
            link=f"/actions/{action.id}",
            now=now,
        )
        notifications.send_pending(
            session=session, mailer=mailer, base_url=base_url, now=now, ids=[n.id for n in created]
        )
        sent += 1
    return sent


def _action_reminder(kind: str, action) -> str:
    if kind == "action.overdue":
        return _(
            "Action overdue since %(date)s: %(title)s", date=action.due_on.isoformat(), title=action.title
        )
    return _("Action due on %(date)s: %(title)s", date=action.due_on.isoformat(), title=action.title)


def send_pending_email(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    return notifications.send_pending(session=session, mailer=mailer, base_url=base_url, now=now)


def send_daily_digests(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    return notifications.send_digests(session=session, mailer=mailer, base_url=base_url, now=now)


ESCALATION_LOOKBACK = timedelta(days=7)


def escalate_untriaged_early_warnings(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """Early warnings no receiving body has triaged in time go to the steering group's chair and
    secretary, once; their e-mail goes out with send_pending_email in the same tick."""
    config = config or {}
    hours = float(config.get("EARLY_WARNING_ESCALATION_HOURS", 4))
    policy = NeedToKnow.from_config(config) if "NEED_TO_KNOW_SHARING_GROUP" in config else NeedToKnow()
    return reports.escalate_untriaged_early_warnings(
        session=session, now=now, after=timedelta(hours=hours), policy=policy, lookback=ESCALATION_LOOKBACK
    )


def poll_alert_feeds(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """Take in the new alerts of the CAP feeds that are due (each feed at its own interval, or after its
    backoff when it failed); the number of alerts taken in."""
    config = config or {}
    policy = NeedToKnow.from_config(config) if "NEED_TO_KNOW_SHARING_GROUP" in config else NeedToKnow()
    return alerts.poll_due_feeds(session=session, now=now, policy=policy)


def post_exercise_injects(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """Post the injects that have fallen due in the running exercises, each into its exercise's own
    database; the number dealt with (posted or skipped)."""
    config = config or {}
    policy = NeedToKnow.from_config(config) if "NEED_TO_KNOW_SHARING_GROUP" in config else NeedToKnow()
    return exercises.post_due_everywhere(session=session, now=now, policy=policy)


EXERCISE_JOBS = (
    "escalate_untriaged_early_warnings",
    "remind_acknowledgements",
    "escalate_overdue_acknowledgements",
    "remind_actions",
    "send_pending_email",
)
"""The frequent jobs that also run in each running exercise's own database."""


def run_exercise_jobs(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """The reminders, escalations and e-mail of every running exercise, in its own database: they reach its
    players as in real work, by e-mail whose subject says EXERCISE and whose links open the exercise's
    pages. One exercise that fails is logged and does not stop the others."""
    done = 0
    for exercise in exercise_queries.running(session=session):
        play_root = f"/exercises/{exercise.key}/play"
        marked = dataclasses.replace(mailer, subject_prefix=f"[EXERCISE {exercise.name}] ")
        try:
            with (
                exercises.play_session(session=session, exercise=exercise, writing=True) as play,
                playmode.working_in(exercise.name, play_root),
            ):
                for name in EXERCISE_JOBS:
                    done += (
                        FREQUENT_JOBS[name](
                            session=play,
                            now=now,
                            mailer=marked,
                            base_url=base_url.rstrip("/") + play_root,
                            config=config,
                        )
                        or 0
                    )
                    play.commit()
        except Exception:
            log.exception("exercise %s: its jobs failed", exercise.key)
    return done


# In this order each tick: what creates notifications first, then the e-mail that carries them.
FREQUENT_JOBS = {
    "poll_alert_feeds": poll_alert_feeds,
    "post_exercise_injects": post_exercise_injects,
    "escalate_untriaged_early_warnings": escalate_untriaged_early_warnings,
    "remind_acknowledgements": remind_acknowledgements,
    "escalate_overdue_acknowledgements": escalate_overdue_acknowledgements,
    "remind_actions": remind_actions,
    "send_pending_email": send_pending_email,
    "run_exercise_jobs": run_exercise_jobs,
}


def keep_seats_current(
    *, session: Session, now: datetime, mailer: Mailer, base_url: str, config: Mapping | None = None
) -> int:
    """End the seats whose planned end has passed and seat the roster assignments that have started."""
    ended = structure_service.end_seats_due(session=session, now=now)
    return ended + roster.seat_started_assignments(session=session, now=now)


DAILY_JOBS = {"send_daily_digests": send_daily_digests, "keep_seats_current": keep_seats_current}
