"""The small world the permission matrix walks: two counties, two projects, a session held in
each county, people of each county and of an institution, and one user per role.

Every person has a surname found nowhere else on the site (plain ASCII, so that it reads the
same in HTML and in escaped JSON): a response either carries a person's surname or it does not.

| key    | person                                 | county | enrolled in                  |
|--------|----------------------------------------|--------|------------------------------|
| cj     | Clujana Somesanu (the participant)     | Cluj   | the Cluj session             |
| trav   | Traian Tarnaveanu (travels)            | Cluj   | the Iasi session             |
| is     | Ionela Zamfirescu                      | Iasi   | the Iasi session             |
| room   | Radu Bahluianu (sits in the Cluj room) | Iasi   | the Cluj session             |
| dup    | Ionela Zamfirescuu (a probable copy)   | Iasi   | nothing                      |

The Iasi session belongs to project A (organised by the organiser); the Cluj session to
project B, and the trainer trains it. Clujana works at the focal point's institution.

Evaluation: the course has a knowledge test and a named feedback form; both sessions (held
yesterday) run a pre-test, a post-test and the feedback form, and their confirmed
participants are invited (`ans_cj` is Clujana's personal feedback link, `qr_cj` / `qr_is` the
codes of the sessions' room QR for the feedback form).
"""

import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.log_actions import log

from certificates.models import CertificateTemplate, IssueRun, certificate_storage
from evaluation import services as evaluation_services
from evaluation.models import Invitation, Questionnaire
from imports.models import ImportBatch
from privacy.models import ConsentRecord, PrivacyNotice
from sessions.models import Attendance, AttendanceEvidence, CalendarToken, Enrolment
from tests.factories.certificates import stored_certificate
from tests.factories.evaluation import questionnaire
from tests.factories.sessions import VenueFactory, make_session
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    FocalPointFactory,
    InstitutionFactory,
    LocalTeamFactory,
    PersonFactory,
    ProfessionalFactory,
    ProjectFactory,
    TrainerFactory,
    UserFactory,
    county,
    team_member,
)
from training import roles
from training.models import (
    DuplicateCandidate,
    Indicator,
    InstitutionType,
    ProfessionalCategory,
    Sector,
)

# The columns of the matrix, in order.
ROLES = ("adm", "org", "cc", "fp", "tr", "cms", "par", "anon")
ROLE_TITLES = {
    "adm": "ANES administrator",
    "org": "ANES organiser (project A)",
    "cc": "county coordinator (Cluj)",
    "fp": "institution focal point (DGASPC Cluj)",
    "tr": "trainer (of the Cluj session)",
    "cms": "CMS editor",
    "par": "participant (Clujana)",
    "anon": "anonymous visitor",
}

SURNAMES = {
    "cj": "Somesanu",
    "trav": "Tarnaveanu",
    "is": "Zamfirescu",
    "room": "Bahluianu",
}

# Whose surname a role may meet anywhere (rosters included): by hand, from the issue's rules.
MAY_SEE = {
    "adm": {"cj", "trav", "is", "room"},
    "org": {"is", "trav"},  # the people in project A's session
    "cc": {"cj", "trav", "room"},  # Cluj's people, and whoever sits in a Cluj room
    "fp": {"cj"},  # the institution's staff
    "tr": {"cj", "room"},  # the roster of the trainer's session
    "cms": set(),
    "par": {"cj"},  # herself
    "anon": set(),
}
# Whose registry record (the person, not a roster line) a role may open or list.
MAY_SEE_RECORD = {
    **MAY_SEE,
    "cc": {"cj", "trav"},  # never another county's people, even those in a Cluj room
    "tr": set(),
}


@dataclass
class World:
    ids: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    files: list = field(default_factory=list)  # (storage, name, content)

    def restore_files(self) -> None:
        """Put back the files a cell may have deleted (the database rolls back; storage not)."""
        for storage, name, content in self.files:
            if not storage.exists(name):
                storage.save(name, ContentFile(content))


def _pdf_on_disk(name: str) -> None:
    storage = certificate_storage()
    if not storage.exists(name):
        storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))


def certified_data(holder, session) -> dict:
    """What an issued certificate states (the fields the public record and the API read)."""
    day = timezone.localdate(session.days.get().starts_at).isoformat()
    return {
        "version": 1,
        "language": "ro",
        "kind": "participation",
        "title": "Certificat de participare",
        "text": "",
        "holder_name": f"{holder.first_name} {holder.last_name}",
        "course_code": session.course.code,
        "course_title": session.course.title,
        "course_hours": "16",
        "session_code": session.code,
        "session_title": session.course.title,
        "starts_on": day,
        "ends_on": day,
        "dates": day,
        "county": session.county.name,
        "institution": "",
        "project": "",
        "issuer": "ANES",
        "issued_on": day,
        "template_id": None,
        "signatories": [],
    }


def build_world() -> World:
    w = World()
    ids = w.ids
    cluj, iasi = county("CJ"), county("IS")
    ids.update(county_cj=cluj.pk, county_is=iasi.pk)

    inst_cj = InstitutionFactory(name="DGASPC Cluj", county=cluj)
    inst_is = InstitutionFactory(name="DGASPC Iasi", county=iasi)
    project_a = ProjectFactory(acronym="PRA", name="Proiect A")
    project_b = ProjectFactory(acronym="PRB", name="Proiect B")
    curriculum = CurriculumFactory()
    course = CourseFactory(code="C-MATRIX", title="Evaluarea riscului")
    trainer = TrainerFactory(full_name="Formator Cluj")
    venue_cj = VenueFactory(name="Sala Cluj", county=cluj)
    venue_is = VenueFactory(name="Sala Iasi", city="Iasi", county=iasi)

    s_cj = make_session(
        start_in=-1, day_count=1, code="S-CJ-1", course=course, county=cluj,
        project=project_b, venue=venue_cj,
    )  # fmt: skip
    s_is = make_session(
        start_in=-1, day_count=1, code="S-IS-1", course=course, county=iasi,
        project=project_a, venue=venue_is,
    )  # fmt: skip
    s_cj.trainers.add(trainer)
    s_cj.save()  # a parental many-to-many: written when the session is saved

    def person(first, last, where, institution=None, with_user=False):
        factory = PersonFactory if with_user else ProfessionalFactory
        return factory(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@example.org".lower(),
            county=where,
            institution=institution,
        )

    p_cj = person("Clujana", SURNAMES["cj"], cluj, inst_cj, with_user=True)
    p_trav = person("Traian", SURNAMES["trav"], cluj)
    p_is = person("Ionela", SURNAMES["is"], iasi, inst_is)
    p_room = person("Radu", SURNAMES["room"], iasi)
    p_dup = person("Ionela", SURNAMES["is"] + "u", iasi, inst_is)

    def enrol(session, who):
        return Enrolment.objects.create(
            training_session=session, professional=who, status="confirmed", source="staff"
        )

    e_cj, e_room = enrol(s_cj, p_cj), enrol(s_cj, p_room)
    e_is, e_trav = enrol(s_is, p_is), enrol(s_is, p_trav)
    day_cj, day_is = s_cj.days.get(), s_is.days.get()
    att_cj = Attendance.objects.create(enrolment=e_cj, day=day_cj, status="present")
    att_is = Attendance.objects.create(enrolment=e_is, day=day_is, status="present")

    def evidence(day):
        content = b"%PDF-1.4\n%%EOF\n"
        item = AttendanceEvidence(
            day=day,
            original_name="semnaturi.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content + str(day.pk).encode()).hexdigest(),
        )
        item.file.save("semnaturi.pdf", ContentFile(content), save=False)
        item.save()
        w.files.append((item.file.storage, item.file.name, content))
        return item

    ev_cj, ev_is = evidence(day_cj), evidence(day_is)

    _pdf_on_disk("certificates/test.pdf")
    w.files.append((certificate_storage(), "certificates/test.pdf", b"%PDF-1.4\n%%EOF\n"))
    cert_cj, cert_is = stored_certificate(e_cj), stored_certificate(e_is)
    for certificate, holder in ((cert_cj, p_cj), (cert_is, p_is)):
        certificate.data = certified_data(holder, certificate.enrolment.training_session)
        certificate.save()
    run_cj = IssueRun.objects.create(training_session=s_cj)
    run_is = IssueRun.objects.create(training_session=s_is)
    template = CertificateTemplate.objects.create(name="Model test", course=course)

    team_cj = LocalTeamFactory(name="EIL Cluj", county=cluj)
    team_is = LocalTeamFactory(name="EIL Iasi", county=iasi)
    member_cj = team_member(team_cj, p_cj)
    member_is = team_member(team_is, p_is)

    duplicate = DuplicateCandidate.objects.create(first=p_is, second=p_dup, reason="near_name")
    batch = ImportBatch(
        kind=ImportBatch.Kind.REGISTRY,
        file_name="participanti.csv",
        file_sha256="0" * 64,
        preview={},
    )
    batch.file.save("participanti.csv", ContentFile(b"nume\nZamfirescu\n"), save=False)
    batch.save()
    merge_log = log(instance=p_is, action="wagtail.edit", user=None, data={})

    # The users, one per role: the role's group, and the link that says where.
    def staff(username, role=None):
        user = UserFactory(username=username, is_staff=role is not None)
        if role is not None:
            user.groups.add(roles.role_group(role))
        return user

    w.users["adm"] = staff("administrator", roles.ADMINISTRATOR)
    w.users["org"] = staff("organizator", roles.ORGANISER)
    project_a.organisers.add(w.users["org"])
    project_a.save()  # a parental many-to-many: written when the project is saved
    w.users["cc"] = staff("coordonator-cluj", roles.COUNTY_COORDINATOR)
    fp_cc = FocalPointFactory(user=w.users["cc"], county=cluj)
    w.users["fp"] = staff("punct-focal", roles.INSTITUTION_FOCAL_POINT)
    FocalPointFactory(user=w.users["fp"], institution=inst_cj)
    w.users["tr"] = staff("formator", roles.TRAINER)
    trainer.user = w.users["tr"]
    trainer.save()
    w.users["cms"] = staff("editor", roles.CMS_EDITOR)
    w.users["par"] = p_cj.user
    w.users["anon"] = None
    token = CalendarToken.objects.create(user=p_cj.user)

    # Privacy: a published notice (read-only), a draft, and the participant's consent to it.
    def notice(version, published):
        return PrivacyNotice.objects.create(
            version=version,
            title_ro=f"Nota de informare {version}",
            title_en=f"Privacy notice {version}",
            body_ro="Text.",
            body_en="Text.",
            published_at=timezone.now() if published else None,
        )

    notice_pub, notice_draft = notice(901, True), notice(902, False)
    consent = ConsentRecord.objects.create(
        professional=p_cj,
        user=p_cj.user,
        notice=notice_pub,
        purpose=ConsentRecord.Purpose.PRIVACY_NOTICE,
        context=ConsentRecord.Context.SIGNUP,
    )

    # Evaluation: a test and a feedback form, set up in both sessions, participants invited.
    quest_test = questionnaire(course, kind=Questionnaire.Kind.TEST, title="Test de cunostinte")
    quest_fb = questionnaire(course, kind=Questionnaire.Kind.FEEDBACK, title="Feedback")
    forms = {}
    for key, session in (("cj", s_cj), ("is", s_is)):
        forms[key] = {
            f.purpose: f
            for f in evaluation_services.session_forms_setup(
                training_session=session, purposes=["pre_test", "post_test", "feedback"]
            )
        }
    ids.update(
        quest_test=quest_test.pk,
        quest_fb=quest_fb.pk,
        qr_cj=forms["cj"]["feedback"].code,
        qr_is=forms["is"]["feedback"].code,
        ans_cj=Invitation.objects.get(session_form=forms["cj"]["feedback"], enrolment=e_cj).token,
        ans_is=Invitation.objects.get(session_form=forms["is"]["feedback"], enrolment=e_is).token,
    )

    ids.update(
        inst_cj=inst_cj.pk, inst_is=inst_is.pk, proj_a=project_a.pk, proj_b=project_b.pk,
        curriculum=curriculum.pk, course=course.pk, trainer=trainer.pk,
        venue_cj=venue_cj.pk, venue_is=venue_is.pk,
        s_cj=s_cj.pk, s_is=s_is.pk, code_cj=s_cj.code, code_is=s_is.code,
        p_cj=p_cj.pk, p_trav=p_trav.pk, p_is=p_is.pk, p_room=p_room.pk,
        e_cj=e_cj.pk, e_room=e_room.pk, e_is=e_is.pk, e_trav=e_trav.pk,
        day_cj=day_cj.pk, day_is=day_is.pk, att_cj=att_cj.pk, att_is=att_is.pk,
        ev_cj=ev_cj.pk, ev_is=ev_is.pk,
        cert_cj=cert_cj.pk, cert_is=cert_is.pk,
        serial_cj=cert_cj.serial, serial_is=cert_is.serial,
        vcode_cj=cert_cj.code, vcode_is=cert_is.code,
        run_cj=run_cj.pk, run_is=run_is.pk, template=template.pk,
        team_cj=team_cj.pk, team_is=team_is.pk, member_cj=member_cj.pk, member_is=member_is.pk,
        fp_cc=fp_cc.pk, dup=duplicate.pk, batch=batch.pk, log=merge_log.pk,
        user_par=p_cj.user.pk, token=token.token,
        notice_pub=notice_pub.pk, notice_draft=notice_draft.pk, consent=consent.pk,
        sector=Sector.objects.first().pk,
        institutiontype=InstitutionType.objects.first().pk,
        category=ProfessionalCategory.objects.first().pk,
        indicator=Indicator.objects.create(
            project=project_a, code="I1", name="Persoane formate", target=10
        ).pk,
    )  # fmt: skip
    return w
