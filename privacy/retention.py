"""The end of retention: people whose every registration is in sessions of projects whose
audit period (`Project.retention_ends_on`) is over are anonymised, after a dry-run report.

Who is a candidate (`retention_candidates`): a person not yet erased, with at least one
enrolment, every one of them in a session of a project whose retention ended before today. A
session without a project, or a project without a retention date, keeps the person (nobody has
decided how long that data is needed). People with no enrolment at all are left alone: they
are in the registry for another reason (a nomination to come, an EIL membership) and the
retention rule speaks of participations.

The real run erases each candidate with `privacy.erasure.erase`, keeping their certificates
(they were handed out: they stay verifiable, "issued to a person whose data was erased"), each
person in their own transaction: a person whose erasure fails is rolled back alone, logged (by
id, without personal data), counted as failed, and the run goes on. The run itself is always
audited once at the end (`formativ.privacy.retention`, with the erased and failed counts),
besides the erasure entry each person gets."""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_noop
from wagtail.log_actions import log

from privacy.erasure import erase
from privacy.models import PrivacyAccess
from sessions.models import Enrolment
from training.models import Professional

RETENTION_ACTION = "formativ.privacy.retention"
RETENTION_PERMISSION = "privacy.run_retention"
logger = logging.getLogger(__name__)
RETENTION_REASON = gettext_noop("End of the retention period")


def retention_candidates(today: datetime.date) -> QuerySet[Professional]:
    """The people whose data the retention rule says to erase on `today` (see the module)."""
    still_needed = Enrolment.objects.filter(professional_id=OuterRef("pk")).filter(
        Q(training_session__project__isnull=True)
        | Q(training_session__project__retention_ends_on__isnull=True)
        | Q(training_session__project__retention_ends_on__gte=today)
    )
    return (
        Professional.objects.filter(erased_at__isnull=True)
        .filter(Exists(Enrolment.objects.filter(professional_id=OuterRef("pk"))))
        .exclude(Exists(still_needed))
        .order_by("pk")
    )


@dataclass
class ProjectCount:
    project_id: int
    acronym: str
    retention_ends_on: datetime.date
    people: int


@dataclass
class RetentionReport:
    today: datetime.date
    dry_run: bool
    people: list[int] = field(default_factory=list)  # the candidates' primary keys
    projects: list[ProjectCount] = field(default_factory=list)
    erased: int = 0
    failed: list[int] = field(default_factory=list)  # the people whose erasure failed

    @property
    def total(self) -> int:
        return len(self.people)

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "people": self.people,
            "projects": [
                {
                    "acronym": p.acronym,
                    "retention_ends_on": p.retention_ends_on.isoformat(),
                    "people": p.people,
                }
                for p in self.projects
            ],
            "erased": self.erased,
            "failed": len(self.failed),
            "failed_people": self.failed,
        }


def retention_report(*, today: datetime.date) -> RetentionReport:
    """What a run on `today` would erase: the people and, per project, how many of them took
    part in it (a person in two projects counts in both)."""
    people = list(retention_candidates(today).values_list("pk", flat=True))
    rows = (
        Enrolment.objects.filter(professional_id__in=people)
        .values_list(
            "professional_id",
            "training_session__project_id",
            "training_session__project__acronym",
            "training_session__project__retention_ends_on",
        )
        .distinct()
    )
    counts: Counter = Counter()
    about = {}
    for _person, project_id, acronym, ends_on in rows:
        counts[project_id] += 1
        about[project_id] = (acronym, ends_on)
    projects = [
        ProjectCount(project_id=pk, acronym=about[pk][0], retention_ends_on=about[pk][1], people=n)
        for pk, n in sorted(counts.items(), key=lambda item: about[item[0]][0])
    ]
    return RetentionReport(today=today, dry_run=True, people=people, projects=projects)


def retention_run(*, today: datetime.date, dry_run: bool, acting_user=None) -> RetentionReport:
    """The report (`dry_run`), or the report and the erasure of every candidate. With an
    `acting_user` (the admin page), they must hold `privacy.run_retention`; without one, the
    run is the scheduled command's or task's."""
    if acting_user is not None and not acting_user.has_perm(RETENTION_PERMISSION):
        raise PermissionDenied
    report = retention_report(today=today)
    if dry_run:
        return report
    report.dry_run = False
    try:
        for pk in report.people:
            try:
                with transaction.atomic():
                    # Checked again under the lock: a person may have enrolled since the report.
                    person = (
                        retention_candidates(today)
                        .filter(pk=pk)
                        .select_for_update(of=("self",))
                        .first()
                    )
                    if person is None:
                        continue
                    erase(
                        professional=person,
                        acting_user=acting_user,
                        keep_certificates=True,
                        reason=RETENTION_REASON,
                    )
            except Exception as exc:  # noqa: BLE001 - one person's failure must not stop the run
                # The id and the error's kind only: its message may quote personal data.
                logger.error("Retention: erasing person #%s failed (%s).", pk, type(exc).__name__)
                report.failed.append(pk)
            else:
                report.erased += 1
    finally:
        log(
            instance=PrivacyAccess(pk=0),
            action=RETENTION_ACTION,
            user=acting_user,
            title="retention",
            data=report.as_dict(),
        )
    return report
