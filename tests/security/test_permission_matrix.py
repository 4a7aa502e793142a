# ruff: noqa: E501 - the matrix is a table, one request per line
"""The permission matrix: every role × every admin view, export and API endpoint of our apps,
with the ids of records in and out of the role's scope (no IDOR), and the public pages.

Read a row as: "this request, made by each role, is allowed (Y) or denied (N)".
- Y: allowed — 200, 201, 204, 400 (understood, refused for its content, *after* the gate), or
  a redirect that is not to the sign-in page nor Wagtail's "no permission" bounce to /admin/.
- N: denied — 401, 403, 404, or a redirect to the sign-in page or to /admin/; and a denial
  names nobody: no surname of the world's people is in its body (the participant's own
  surname excepted).
- V: allowed, public verification of a certificate by its code: it names the holder by design.
- -: not asked (the request means nothing for that role, e.g. "my trainings" for staff).
In every cell, allowed or not, the body carries no surname the role may not see (tests/security/
world.py: MAY_SEE, and MAY_SEE_RECORD for the people registry's own screens). That is the IDOR
check on lists: a Cluj coordinator's list of people never shows an Iasi surname.

`{name}` in a path is an id (or code) from the world; `_cj` records are Cluj's, `_is` Iasi's.
"""

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.security.world import (
    MAY_SEE,
    MAY_SEE_RECORD,
    ROLE_TITLES,
    ROLES,
    SURNAMES,
    build_world,
)

# fmt: off
MATRIX = [
    # method  path                                                              adm org cc  fp  tr  cms par anon
    ("GET",  "/admin/",                                                          "Y   Y   Y   Y   Y   Y   N   N"),

    # ---- training sessions (the operational data) -------------------------------------------
    ("GET",  "/admin/trainingsession/",                                          "Y   Y   Y   N   Y   N   N   N"),
    ("GET",  "/admin/trainingsession/results/",                                  "Y   Y   Y   N   Y   N   N   N"),
    ("GET",  "/admin/trainingsession/new/",                                      "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/trainingsession/edit/{s_cj}/",                              "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/trainingsession/edit/{s_is}/",                              "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/trainingsession/inspect/{s_cj}/",                           "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/trainingsession/inspect/{s_is}/",                           "Y   Y   N   N   N   N   N   N"),
    # sessions, enrolments and attendance are never deleted (cancelled instead); attendance rows
    # and certificates are never written by hand: nobody, not even ANES, has those screens
    ("GET",  "/admin/trainingsession/delete/{s_cj}/",                            "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/trainingsession/history/{s_cj}/",                           "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/trainingsession/history/{s_is}/",                           "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/trainingsession/history-results/{s_is}/",                   "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/trainingsession/usage/{s_is}/",                             "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training_session_chooser/",                                 "Y   Y   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training_session_chooser/results/",                         "Y   Y   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training_session_chooser/chosen/{s_cj}/",                   "Y   Y   Y   Y   Y   Y   N   N"),
    ("GET",  "/admin/training_session_chooser/chosen/{s_is}/",                   "Y   Y   Y   Y   Y   Y   N   N"),
    ("GET",  "/admin/training_session_chooser/chosen-multiple/?id={s_is}",       "Y   Y   Y   Y   Y   Y   N   N"),
    ("GET",  "/admin/training_session_chooser/create/",                          "Y   Y   Y   N   N   N   N   N"),

    # ---- rosters ----------------------------------------------------------------------------
    ("GET",  "/admin/training-sessions/{s_cj}/roster/",                          "Y   N   Y   Y   Y   N   N   N"),
    # those who look after people (county, institution) read any published session's roster,
    # reduced to their own people: the coordinator sees Traian in Iasi, not Ionela
    ("GET",  "/admin/training-sessions/{s_is}/roster/",                          "Y   Y   Y   Y   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/roster/add/",                      "Y   N   Y   N   N   N   N   N"),
    # a coordinator may enrol their own people anywhere (the page offers only them)
    ("GET",  "/admin/training-sessions/{s_is}/roster/add/",                      "Y   Y   Y   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_cj}/roster/promote/",                  "Y   N   Y   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_is}/roster/promote/",                  "Y   Y   N   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_cj}/roster/{e_cj}/reject/",            "Y   N   Y   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_is}/roster/{e_is}/reject/",            "Y   Y   N   N   N   N   N   N"),
    # an enrolment of another session through this session's roster: nobody
    ("POST", "/admin/training-sessions/{s_cj}/roster/{e_is}/reject/",            "N   N   N   N   N   N   N   N"),

    # ---- attendance -------------------------------------------------------------------------
    ("GET",  "/admin/training-sessions/attendance/",                             "Y   Y   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/",                      "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/",                      "Y   Y   N   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_cj}/attendance/complete/",             "Y   N   Y   N   Y   N   N   N"),
    ("POST", "/admin/training-sessions/{s_is}/attendance/complete/",             "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/attendance.xlsx",       "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/attendance.xlsx",       "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/{day_cj}/",             "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/{day_is}/",             "Y   Y   N   N   N   N   N   N"),
    # a day of another session through this session: nobody
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/{day_is}/",             "N   N   N   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_cj}/attendance/{day_cj}/all-present/", "Y   N   Y   N   Y   N   N   N"),
    ("POST", "/admin/training-sessions/{s_is}/attendance/{day_is}/all-present/", "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/{day_cj}/scan/",        "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/{day_is}/scan/",        "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/{day_cj}/projector/",   "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/{day_is}/projector/",   "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/{day_cj}/projector/status/", "Y N  Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/{day_is}/projector/status/", "Y Y  N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/{day_cj}/sign-in-sheet.pdf", "Y N  Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/{day_is}/sign-in-sheet.pdf", "Y Y  N   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_cj}/attendance/{day_cj}/evidence/",    "Y   N   Y   N   Y   N   N   N"),
    ("POST", "/admin/training-sessions/{s_is}/attendance/{day_is}/evidence/",    "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/evidence/{ev_cj}/",     "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_is}/attendance/evidence/{ev_is}/",     "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/training-sessions/{s_cj}/attendance/evidence/{ev_is}/",     "N   N   N   N   N   N   N   N"),
    ("POST", "/admin/training-sessions/{s_cj}/attendance/evidence/{ev_cj}/delete/", "Y  N   Y   N   Y   N   N   N"),
    ("POST", "/admin/training-sessions/{s_is}/attendance/evidence/{ev_is}/delete/", "Y  Y   N   N   N   N   N   N"),
    ("GET",  "/admin/attendance/",                                               "Y   Y   Y   N   Y   N   N   N"),
    ("GET",  "/admin/attendance/results/",                                       "Y   Y   Y   N   Y   N   N   N"),
    ("GET",  "/admin/attendance/new/",                                           "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/attendance/edit/{att_cj}/",                                 "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/attendance/edit/{att_is}/",                                 "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/attendance/inspect/{att_cj}/",                              "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/attendance/inspect/{att_is}/",                              "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/attendance/delete/{att_is}/",                               "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/attendance/history/{att_is}/",                              "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/attendance/history-results/{att_is}/",                      "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/attendance/usage/{att_is}/",                                "Y   Y   N   N   N   N   N   N"),

    # ---- enrolments -------------------------------------------------------------------------
    ("GET",  "/admin/enrolment/",                                                "Y   Y   Y   Y   Y   N   N   N"),
    ("GET",  "/admin/enrolment/results/",                                        "Y   Y   Y   Y   Y   N   N   N"),
    ("GET",  "/admin/enrolment/new/",                                            "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/edit/{e_cj}/",                                    "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/edit/{e_is}/",                                    "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/edit/{e_trav}/",                                  "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/edit/{e_room}/",                                  "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/inspect/{e_cj}/",                                 "Y   N   Y   Y   Y   N   N   N"),
    ("GET",  "/admin/enrolment/inspect/{e_is}/",                                 "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/inspect/{e_trav}/",                               "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/inspect/{e_room}/",                               "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/enrolment/delete/{e_is}/",                                  "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/history/{e_is}/",                                 "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/history-results/{e_is}/",                         "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/enrolment/usage/{e_is}/",                                   "Y   Y   N   N   N   N   N   N"),

    # ---- venues (not personal data: not scoped) ---------------------------------------------
    ("GET",  "/admin/venue/",                                                    "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue/results/",                                            "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue/new/",                                                "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue/edit/{venue_is}/",                                    "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue/inspect/{venue_is}/",                                 "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue/delete/{venue_is}/",                                  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/venue/history/{venue_is}/",                                 "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue/history-results/{venue_is}/",                         "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue/usage/{venue_is}/",                                   "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue_chooser/",                                            "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue_chooser/results/",                                    "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/venue_chooser/chosen/{venue_is}/",                          "Y   Y   Y   Y   Y   Y   N   N"),
    ("GET",  "/admin/venue_chooser/chosen-multiple/?id={venue_is}",              "Y   Y   Y   Y   Y   Y   N   N"),
    ("GET",  "/admin/venue_chooser/create/",                                     "Y   Y   Y   N   N   N   N   N"),

    # ---- certificates -----------------------------------------------------------------------
    ("GET",  "/admin/certificate/",                                              "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificate/results/",                                      "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificate/new/",                                          "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificate/edit/{cert_cj}/",                               "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificate/delete/{cert_cj}/",                             "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificate/inspect/{cert_cj}/",                            "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificate/inspect/{cert_is}/",                            "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificate/history/{cert_cj}/",                            "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificate/history/{cert_is}/",                            "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificate/history-results/{cert_is}/",                    "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificate/usage/{cert_is}/",                              "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_cj}/certificate.pdf",                    "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_is}/certificate.pdf",                    "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_cj}/credential.json",                    "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_is}/credential.json",                    "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_cj}/credential.jwt",                     "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_is}/credential.jwt",                     "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_cj}/revoke/",                            "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_is}/revoke/",                            "Y   Y   N   N   N   N   N   N"),
    # reissuing supersedes (revokes) the old certificate: those who may revoke
    ("GET",  "/admin/certificates/{cert_cj}/reissue/",                           "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/{cert_is}/reissue/",                           "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/session/{s_cj}/issue/",                        "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificates/session/{s_is}/issue/",                        "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/runs/{run_cj}/",                               "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificates/runs/{run_is}/",                               "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/runs/{run_cj}/status/",                        "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/certificates/runs/{run_is}/status/",                        "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/certificates/templates/{template}/preview.pdf",             "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/",                                      "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/results/",                              "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/new/",                                  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/edit/{template}/",                      "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/delete/{template}/",                    "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/history/{template}/",                   "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/history-results/{template}/",           "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/certificatetemplate/usage/{template}/",                     "Y   N   N   N   N   N   N   N"),

    # ---- imports, duplicates, merges: ANES administrators only --------------------------------
    ("GET",  "/admin/imports/",                                                  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/imports/{batch}/",                                          "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/imports/{batch}/status/",                                   "Y   N   N   N   N   N   N   N"),
    ("POST", "/admin/imports/{batch}/confirm/",                                  "Y   N   N   N   N   N   N   N"),
    ("POST", "/admin/imports/{batch}/recheck/",                                  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/imports/{batch}/rejected.xlsx",                             "-   N   N   N   N   N   N   N"),
    # the roster as a spreadsheet: the full roster, for those who manage the session
    ("GET",  "/admin/imports/roster/{s_cj}/export.xlsx",                         "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/imports/roster/{s_is}/export.xlsx",                         "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/imports/template/registry.xlsx",                            "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/duplicates/",                                               "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/duplicates/{dup}/",                                         "Y   N   N   N   N   N   N   N"),
    ("POST", "/admin/duplicates/{dup}/merge/",                                   "Y   N   N   N   N   N   N   N"),
    ("POST", "/admin/duplicates/{dup}/distinct/",                                "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/duplicates/export.xlsx",                                    "Y   N   N   N   N   N   N   N"),
    ("POST", "/admin/duplicates/undo/{log}/",                                    "-   N   N   N   N   N   N   N"),

    # ---- reports ----------------------------------------------------------------------------
    ("GET",  "/admin/reports/",                                                  "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/reports/export/?format=csv",                                "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/reports/county.pdf?person_county=CJ",                       "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/reports/county.pdf?person_county=IS",                       "Y   Y   N   N   N   N   N   N"),

    # ---- privacy and the audit trail: ANES administrators only --------------------------------
    ("GET",  "/admin/privacy/erase/{p_cj}/",                                     "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/erase/{p_is}/",                                     "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/retention/",                                        "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/audit-log/",                                                "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/audit-log/results/",                                        "Y   N   N   N   N   N   N   N"),
    # privacy notices: drafts are edited, deleted and published; a published version is shown
    # read-only (its edit page opens, saving it is refused) and never deleted
    ("GET",  "/admin/privacy/notices/",                                          "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/results/",                                  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/new/",                                      "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/edit/{notice_draft}/",                      "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/edit/{notice_pub}/",                        "Y   N   N   N   N   N   N   N"),
    ("POST", "/admin/privacy/notices/edit/{notice_pub}/",                        "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/delete/{notice_draft}/",                    "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/delete/{notice_pub}/",                      "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/inspect/{notice_pub}/",                     "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/history/{notice_pub}/",                     "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/history-results/{notice_pub}/",             "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/usage/{notice_pub}/",                       "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/{notice_draft}/publish/",                   "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/notices/{notice_pub}/publish/",                     "N   N   N   N   N   N   N   N"),
    # consent records: read-only, not even ANES adds, changes or deletes one (and Wagtail's
    # history and usage screens, which ask for the change permission, stay closed too)
    ("GET",  "/admin/privacy/consents/",                                         "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/results/",                                 "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/inspect/{consent}/",                       "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/new/",                                     "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/edit/{consent}/",                          "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/delete/{consent}/",                        "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/history/{consent}/",                       "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/history-results/{consent}/",               "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/privacy/consents/usage/{consent}/",                         "N   N   N   N   N   N   N   N"),

    # ---- user accounts chooser (names and e-mails of every account) ---------------------------
    ("GET",  "/admin/formativ_user_chooser/",                                    "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/formativ_user_chooser/results/",                            "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/formativ_user_chooser/chosen/{user_par}/",                  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/formativ_user_chooser/chosen-multiple/?id={user_par}",      "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/formativ_user_chooser/create/",                             "Y   N   N   N   N   N   N   N"),

    # ---- the people registry (snippets) -------------------------------------------------------
    ("GET",  "/admin/snippets/training/professional/",                           "Y   Y   Y   Y   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/results/",                   "Y   Y   Y   Y   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/add/",                       "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/edit/{p_cj}/",               "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/edit/{p_is}/",               "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/edit/{p_trav}/",             "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/edit/{p_room}/",             "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/inspect/{p_cj}/",            "Y   N   Y   Y   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/inspect/{p_is}/",            "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/inspect/{p_room}/",          "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/delete/{p_is}/",             "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/history/{p_cj}/",            "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/history/{p_is}/",            "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/history-results/{p_is}/",    "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/professional/usage/{p_is}/",              "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/choose/training/professional/",                    "Y   Y   Y   Y   N   N   N   N"),
    ("GET",  "/admin/snippets/choose/training/professional/results/",            "Y   Y   Y   Y   N   N   N   N"),
    ("GET",  "/admin/snippets/choose/training/professional/chosen/{p_cj}/",      "Y   N   Y   Y   N   N   N   N"),
    ("GET",  "/admin/snippets/choose/training/professional/chosen/{p_is}/",      "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/choose/training/professional/chosen-multiple/?id={p_is}", "Y Y N  N   N   N   N   N"),
    ("GET",  "/admin/snippets/choose/training/professional/create/",             "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/",                    "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/results/",            "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/add/",                "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/edit/{member_cj}/",   "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/edit/{member_is}/",   "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/inspect/{member_is}/", "Y  N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/delete/{member_cj}/", "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/delete/{member_is}/", "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/history/{member_is}/", "Y  N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/history-results/{member_is}/", "Y N N N N N   N   N"),
    ("GET",  "/admin/snippets/training/localteammembership/usage/{member_is}/",  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteam/",                              "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteam/edit/{team_cj}/",               "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/localteam/edit/{team_is}/",               "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/institution/",                            "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/institution/edit/{inst_cj}/",             "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/institution/edit/{inst_is}/",             "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/institution/inspect/{inst_is}/",          "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/trainer/",                                "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/trainer/edit/{trainer}/",                 "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/project/",                                "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/project/inspect/{proj_a}/",               "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/project/edit/{proj_a}/",                  "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/course/",                                 "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/course/edit/{course}/",                   "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/curriculum/",                             "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/curriculum/edit/{curriculum}/",           "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/focalpoint/",                             "Y   N   N   N   N   N   N   N"),
    ("GET",  "/admin/snippets/training/focalpoint/edit/{fp_cc}/",                "Y   N   N   N   N   N   N   N"),

    # ---- the API ----------------------------------------------------------------------------
    ("GET",  "/api/v1/counties",                                                 "Y   Y   Y   Y   Y   Y   Y   N"),
    ("GET",  "/api/v1/professionals",                                            "Y   Y   Y   Y   N   N   N   N"),
    ("GET",  "/api/v1/professionals?county=IS",                                  "Y   Y   Y   Y   N   N   N   N"),
    ("POST", "/api/v1/professionals",                                            "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/api/v1/professionals/{p_cj}",                                     "Y   N   Y   Y   N   N   N   N"),
    ("GET",  "/api/v1/professionals/{p_is}",                                     "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/api/v1/professionals/{p_room}",                                   "Y   N   N   N   N   N   N   N"),
    ("GET",  "/api/v1/sessions",                                                 "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/api/v1/sessions/{s_cj}",                                          "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("POST", "/api/v1/sessions",                                                 "Y   Y   Y   N   N   N   N   N"),
    ("PATCH", "/api/v1/sessions/{s_cj}",                                         "Y   N   Y   N   N   N   N   N"),
    ("PATCH", "/api/v1/sessions/{s_is}",                                         "Y   Y   N   N   N   N   N   N"),
    ("POST", "/api/v1/sessions/{s_is}/enrolments",                               "-   -   -   -   -   -   Y   N"),
    ("GET",  "/api/v1/enrolments/{e_cj}",                                        "Y   N   Y   Y   Y   N   Y   N"),
    ("GET",  "/api/v1/enrolments/{e_is}",                                        "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/api/v1/enrolments/{e_trav}",                                      "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/api/v1/enrolments/{e_room}",                                      "Y   N   Y   N   Y   N   N   N"),
    ("POST", "/api/v1/enrolments/{e_cj}/cancel",                                 "Y   N   Y   N   N   N   Y   N"),
    ("POST", "/api/v1/enrolments/{e_is}/cancel",                                 "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/api/v1/me",                                                       "Y   Y   Y   Y   Y   Y   Y   N"),
    ("GET",  "/api/v1/me/enrolments",                                            "-   -   -   -   -   -   Y   N"),
    ("GET",  "/api/v1/me/certificates",                                          "-   -   -   -   -   -   Y   N"),
    ("POST", "/api/v1/me/calendar-key",                                          "-   -   -   -   -   -   Y   N"),
    ("DELETE", "/api/v1/me/calendar-key",                                        "-   -   -   -   -   -   Y   N"),
    ("GET",  "/api/v1/sessions/{s_cj}/attendance",                               "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/api/v1/sessions/{s_is}/attendance",                               "Y   Y   N   N   N   N   N   N"),
    ("POST", "/api/v1/sessions/{s_cj}/attendance",                               "Y   N   Y   N   Y   N   N   N"),
    ("POST", "/api/v1/sessions/{s_is}/attendance",                               "Y   Y   N   N   N   N   N   N"),
    ("POST", "/api/v1/checkin",                                                  "-   -   -   -   -   -   -   N"),
    ("GET",  "/api/v1/certificates/verify/{vcode_cj}",                           "V   V   V   V   V   V   V   V"),
    ("GET",  "/api/v1/certificates/{serial_cj}",                                 "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/api/v1/certificates/{serial_is}",                                 "Y   Y   N   N   N   N   N   N"),
    ("POST", "/api/v1/sessions/{s_cj}/certificates/issue",                       "Y   N   Y   N   N   N   N   N"),
    ("POST", "/api/v1/sessions/{s_is}/certificates/issue",                       "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/api/v1/certificates/runs/{run_cj}",                               "Y   N   Y   N   N   N   N   N"),
    ("GET",  "/api/v1/certificates/runs/{run_is}",                               "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/api/v1/reports/participants",                                     "Y   Y   Y   N   N   N   N   N"),

    # ---- the public site: nobody learns who attends what -------------------------------------
    ("GET",  "/sesiuni/{code_cj}/",                                              "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/sesiuni/{code_is}/",                                              "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/sesiuni/{code_cj}/calendar.ics",                                  "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/calendar/sesiuni.ics",                                            "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/calendar/",                                                       "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/calendar/personal/{token}.ics",                                   "-   -   -   -   -   Y   Y   Y"),
    ("GET",  "/sesiuni/{code_is}/inscriere/",                                    "-   -   -   -   -   -   Y   N"),
    ("GET",  "/sesiuni/{code_cj}/nominalizare/",                                 "-   -   Y   Y   -   -   N   N"),
    ("GET",  "/contul-meu/datele-mele/",                                         "-   -   -   -   -   -   Y   N"),
    ("GET",  "/contul-meu/datele-mele.json",                                     "-   -   -   -   -   -   Y   N"),
    ("GET",  "/contul-meu/formari/",                                             "-   -   -   -   -   -   Y   N"),
    ("POST", "/contul-meu/calendar/adresa-noua/",                                "-   -   -   -   -   -   Y   N"),
    ("POST", "/contul-meu/calendar/oprire/",                                     "-   -   -   -   -   -   Y   N"),
    ("GET",  "/inscrieri/{e_cj}/anulare/",                                       "N   N   N   N   N   N   Y   N"),
    ("GET",  "/inscrieri/{e_is}/anulare/",                                       "N   N   N   N   N   N   N   N"),
    ("POST", "/inscrieri/{e_cj}/raspuns/",                                       "N   N   N   N   N   N   Y   N"),
    ("POST", "/inscrieri/{e_is}/raspuns/",                                       "N   N   N   N   N   N   N   N"),
    ("GET",  "/contul-meu/certificate/{serial_cj}.pdf",                          "N   N   N   N   N   N   Y   N"),
    ("GET",  "/contul-meu/certificate/{serial_is}.pdf",                          "N   N   N   N   N   N   N   N"),
    ("GET",  "/contul-meu/certificate/{serial_cj}.json",                         "N   N   N   N   N   N   Y   N"),
    ("GET",  "/contul-meu/certificate/{serial_is}.json",                         "N   N   N   N   N   N   N   N"),
    ("GET",  "/v/{vcode_cj}",                                                    "V   V   V   V   V   V   V   V"),
]
# fmt: on

# Evaluation (issue 11). The questionnaires are ANES's: administrators and organisers edit
# them, county coordinators read them (their sessions run them), nobody else. A session's
# evaluation screen (set-up, response counts, moving to new versions) is for those who manage
# the session (out of scope: 404); its trainer reads it and shows the room QR (and the QR
# page's live counts), but changes nothing. The personal answer link works without signing in, for whoever holds it; the room
# QR needs a participant's sign-in. The evaluation report, its XLSX and the API: those with the
# reports right (a coordinator's figures are their county's).
# These rows are checked only once their route exists (see CONDITIONAL): the screens are being
# built alongside.
# fmt: off
EVALUATION = [
    # method  path                                                              adm org cc  fp  tr  cms par anon
    ("GET",  "/admin/evaluation/questionnaires/",                                "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/results/",                        "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/new/",                            "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/edit/{quest_test}/",              "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/edit/{quest_fb}/",                "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/inspect/{quest_test}/",           "Y   Y   Y   N   N   N   N   N"),
    # a questionnaire with versions is never deleted (sessions use them): either answer for ANES
    ("GET",  "/admin/evaluation/questionnaires/delete/{quest_test}/",            "-   N   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/history/{quest_test}/",           "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/history-results/{quest_test}/",   "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/questionnaires/usage/{quest_test}/",             "Y   Y   N   N   N   N   N   N"),
    # the trainer reads their session's forms and counts (the way to the room QR), no set-up
    ("GET",  "/admin/evaluation/session/{s_cj}/",                                "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/evaluation/session/{s_is}/",                                "Y   Y   N   N   N   N   N   N"),
    ("POST", "/admin/evaluation/session/{s_cj}/",                                "Y   N   Y   N   N   N   N   N"),
    ("POST", "/admin/evaluation/session/{s_is}/",                                "Y   Y   N   N   N   N   N   N"),
    ("POST", "/admin/evaluation/session/{s_cj}/update-versions/",                "Y   N   Y   N   N   N   N   N"),
    ("POST", "/admin/evaluation/session/{s_is}/update-versions/",                "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/session/{s_cj}/qr/feedback/",                    "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/evaluation/session/{s_is}/qr/feedback/",                    "Y   Y   N   N   N   N   N   N"),
    ("GET",  "/admin/evaluation/session/{s_cj}/qr/pre_test/",                    "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/evaluation/session/{s_cj}/qr/feedback/status/",             "Y   N   Y   N   Y   N   N   N"),
    ("GET",  "/admin/evaluation/session/{s_is}/qr/feedback/status/",             "Y   Y   N   N   N   N   N   N"),
    # a form the session does not run: nobody
    ("GET",  "/admin/evaluation/session/{s_cj}/qr/follow_up/",                   "N   N   N   N   N   N   N   N"),
    ("GET",  "/admin/reports/evaluation/",                                       "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/admin/reports/evaluation/export/",                                "Y   Y   Y   N   N   N   N   N"),
    ("GET",  "/api/v1/reports/evaluation",                                       "Y   Y   Y   N   N   N   N   N"),
    # the personal link: whoever holds it (no sign-in), naming nobody; an unknown token: 404
    ("GET",  "/evaluare/{ans_cj}/",                                              "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/evaluare/{ans_is}/",                                              "Y   Y   Y   Y   Y   Y   Y   Y"),
    ("GET",  "/evaluare/necunoscut-0000000000000000/",                           "N   N   N   N   N   N   N   N"),
    ("POST", "/evaluare/necunoscut-0000000000000000/",                           "N   N   N   N   N   N   N   N"),
    # the room QR: a signed-in participant of the session is sent on to their own link
    ("GET",  "/evaluare/sesiune/{qr_cj}/",                                       "-   -   -   -   -   -   Y   N"),
    ("GET",  "/evaluare/sesiune/{qr_is}/",                                       "-   -   -   -   -   -   -   N"),
    ("GET",  "/evaluare/sesiune/necunoscut00/",                                  "-   -   -   -   -   -   N   N"),
]
# fmt: on
MATRIX += EVALUATION


def _route_exists(path: str) -> bool:
    from django.urls import Resolver404

    try:
        resolve(re.sub(r"\{[^}]+\}", "1", path.split("?", 1)[0]))
    except Resolver404:
        return False
    return True


# Rows whose route may not exist yet: their cells are skipped until it does.
CONDITIONAL = {(method, path) for method, path, _codes in EVALUATION}
MISSING_ROUTES = {(method, path) for method, path in CONDITIONAL if not _route_exists(path)}

# The registry's snippets, screen by screen, where the rows above do not already say it. Per
# model: the id used for its object screens (an Iasi record where the model has a county), then
# the codes for the list, viewing one, adding, changing one (edit, history, usage), deleting,
# and its chooser (None: as the list and viewing one). The choosers of reference data that is
# not personal (counties, courses, institutions...) must open for the roles whose forms need
# them; for the others either answer is fine (-). Counties and sectors are never edited by
# hand, not even by ANES. County coordinators read courses and trainers (their sessions' form
# chooses them) without changing them.
# fmt: off
SNIPPETS = {
    # model                  id key        list                view (Iasi id)      add                 change (Iasi id)    delete              chooser
    "professional":         ("p_is",      "Y Y Y Y N N N N", "Y Y N N N N N N", "Y Y Y N N N N N", "Y Y N N N N N N", "Y N N N N N N N", None),
    "institution":          ("inst_is",   "Y Y Y N N N N N", "Y Y Y N N N N N", "Y Y Y N N N N N", "Y Y N N N N N N", "Y N N N N N N N", "Y Y Y - - - N N"),
    "localteam":            ("team_is",   "Y N Y N N N N N", "Y N N N N N N N", "Y N Y N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y - Y - - - N N"),
    "localteammembership":  ("member_is", "Y N Y N N N N N", "Y N N N N N N N", "Y N Y N N N N N", "Y N N N N N N N", "Y N N N N N N N", None),
    "trainer":              ("trainer",   "Y Y Y N N N N N", "Y Y Y N N N N N", "Y Y N N N N N N", "Y Y N N N N N N", "Y N N N N N N N", "Y Y Y - - - N N"),
    "course":               ("course",    "Y Y Y N N N N N", "Y Y Y N N N N N", "Y Y N N N N N N", "Y Y N N N N N N", "Y N N N N N N N", "Y Y Y - - - N N"),
    "curriculum":           ("curriculum", "Y Y N N N N N N", "Y Y N N N N N N", "Y Y N N N N N N", "Y Y N N N N N N", "Y N N N N N N N", "Y Y - - - - N N"),
    "project":              ("proj_a",    "Y Y N N N N N N", "Y Y N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y Y Y - - - N N"),
    "focalpoint":           ("fp_cc",     "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", None),
    "county":               ("county_is", "Y N N N N N N N", "Y N N N N N N N", "N N N N N N N N", "N N N N N N N N", "N N N N N N N N", "Y Y Y - - - N N"),
    "sector":               ("sector",    "Y N N N N N N N", "Y N N N N N N N", "N N N N N N N N", "N N N N N N N N", "N N N N N N N N", "Y Y Y - - - N N"),
    "institutiontype":      ("institutiontype", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y Y Y - - - N N"),
    "professionalcategory": ("category",  "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y Y Y - - - N N"),
    "indicator":            ("indicator", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y N N N N N N N", "Y - - - - - N N"),
}
# fmt: on
SNIPPET_SCREENS = (  # (screen, which code)
    ("/admin/snippets/training/{model}/", "list"),
    ("/admin/snippets/training/{model}/results/", "list"),
    ("/admin/snippets/training/{model}/add/", "add"),
    ("/admin/snippets/training/{model}/edit/{id}/", "change"),
    ("/admin/snippets/training/{model}/delete/{id}/", "delete"),
    ("/admin/snippets/training/{model}/usage/{id}/", "change"),
    ("/admin/snippets/training/{model}/history/{id}/", "change"),
    ("/admin/snippets/training/{model}/history-results/{id}/", "change"),
    ("/admin/snippets/training/{model}/inspect/{id}/", "view"),
    ("/admin/snippets/choose/training/{model}/", "list"),
    ("/admin/snippets/choose/training/{model}/results/", "list"),
    ("/admin/snippets/choose/training/{model}/chosen/{id}/", "view"),
    ("/admin/snippets/choose/training/{model}/chosen-multiple/?id={id}", "view"),
    ("/admin/snippets/choose/training/{model}/create/", "add"),
)
_written = {(method, path) for method, path, _codes in MATRIX}
for _model, (_key, *_codes) in SNIPPETS.items():
    *_codes, _chooser = _codes
    _by_kind = dict(zip(("list", "view", "add", "change", "delete"), _codes, strict=True))
    for _screen, _kind in SNIPPET_SCREENS:
        if _chooser and "/choose/" in _screen and _kind != "add":
            _kind = "chooser"
            _by_kind["chooser"] = _chooser
        _path = _screen.replace("{model}", _model).replace("{id}", "{" + _key + "}")
        if ("GET", _path) not in _written:
            MATRIX.append(("GET", _path, _by_kind[_kind]))

# Bodies for the API's writes: valid, so that a refusal cannot hide behind a 422.
BODIES = {
    ("POST", "/api/v1/professionals"): {
        "first_name": "Nou",
        "last_name": "Venit",
        "county": "CJ",
    },
    ("POST", "/api/v1/sessions"): {
        "code": "S-NEW-1",
        "course": "C-MATRIX",
        "county": "CJ",
        "capacity": 10,
        "project": "PRA",
    },
    ("PATCH", "/api/v1/sessions/{s_cj}"): {"title": "Titlu nou"},
    ("PATCH", "/api/v1/sessions/{s_is}"): {"title": "Titlu nou"},
    ("POST", "/api/v1/sessions/{s_cj}/attendance"): [],
    ("POST", "/api/v1/sessions/{s_is}/attendance"): [],
    ("POST", "/api/v1/checkin"): {"code": "000000"},
    ("POST", "/api/v1/enrolments/{e_cj}/cancel"): {},
    ("POST", "/api/v1/enrolments/{e_is}/cancel"): {},
    ("POST", "/api/v1/sessions/{s_is}/enrolments"): {},
}

# Routes of our apps deliberately left out of the matrix, with the reason.
NOT_IN_MATRIX = {
    "api-v1:openapi-json": "the API's description: no records",
    "api-v1:openapi-view": "the API's documentation page: no records",
    "api-v1:api-root": "the API's index: no records",
}


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    role: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.role}:{self.method}:{self.path}"


def _cells() -> list[Cell]:
    cells = []
    for method, path, codes in MATRIX:
        parsed = codes.split()
        assert len(parsed) == len(ROLES), (method, path, codes)
        for role, expected in zip(ROLES, parsed, strict=True):
            if expected != "-":
                cells.append(Cell(method, path, role, expected))
    return cells


CELLS = _cells()
LOGIN_PATHS = ("/cont/login/", "/en/cont/login/", "/admin/login/")
PEOPLE_RECORD_SCREENS = (
    "/admin/snippets/training/professional/",
    "/admin/snippets/choose/training/professional/",
    "/admin/snippets/training/localteammembership/",
    "/api/v1/professionals",
)


def _is_denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (301, 302, 303):
        location = response.headers.get("Location", "")
        path = location.split("?", 1)[0]
        # Wagtail sends a signed-in user without the right back to the dashboard.
        return path.startswith(LOGIN_PATHS) or path == "/admin/"
    return False


def _is_allowed(response) -> bool:
    if response.status_code in (200, 201, 204, 400):
        return True
    return response.status_code in (301, 302, 303) and not _is_denied(response)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The world, built once for the ~3000 cells: inside a transaction rolled back after the
    module; each cell runs in its own savepoint (pytest-django's `db`), so a cell that changes
    something (a merge, a cancellation) does not leak into the next."""
    from django.db import transaction

    from cms.models import CalendarPage
    from tests.factories.cms import add, romanian_home

    with django_db_blocker.unblock(), transaction.atomic():
        add(romanian_home(), CalendarPage(title="Calendar", slug="calendar"))
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db):
    _module_world.restore_files()
    return _module_world


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.skip(reason="route not there yet")]
            if (c.method, c.path) in MISSING_ROUTES
            else [],
        )
        for c in CELLS
    ],
)
def test_permission_matrix(cell, world, client):
    user = world.users[cell.role]
    if user is not None:
        client.force_login(user)
    path = cell.path.format(**world.ids)
    body = BODIES.get((cell.method, cell.path))
    kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
    response = getattr(client, cell.method.lower())(path, **kwargs)
    text = _body(response)
    got = f"{response.status_code} {response.headers.get('Location', '')}".strip()

    if cell.expected == "N":
        assert _is_denied(response), f"{ROLE_TITLES[cell.role]} was let in: {got}"
        named = {k for k, surname in SURNAMES.items() if surname.lower() in text.lower()}
        assert named <= ({"cj"} if cell.role == "par" else set()), (
            f"a refusal names people: {sorted(named)}"
        )
        return
    assert response.status_code != 422, f"the request body was refused before any gate: {text}"
    assert _is_allowed(response), f"{ROLE_TITLES[cell.role]} was refused: {got}"
    may_see = (
        MAY_SEE_RECORD[cell.role]
        if cell.path.startswith(PEOPLE_RECORD_SCREENS)
        else MAY_SEE[cell.role]
    )
    if cell.expected == "V":
        may_see = may_see | {"cj"}  # the holder, shown to whoever has the certificate's code
    leaked = {
        k for k, surname in SURNAMES.items() if k not in may_see and surname.lower() in text.lower()
    }
    assert not leaked, f"{ROLE_TITLES[cell.role]} sees people outside their scope: {sorted(leaked)}"


# ---- every admin and API route of our apps is in the matrix ---------------------------------

OUR_APPS = (
    "training", "sessions", "certificates", "imports", "reports", "privacy", "audit", "accounts",
    "evaluation",
)  # fmt: skip
SNIPPET_NAMESPACE = re.compile(
    r"^wagtailsnippet(s|choosers)_(training|training_sessions|certificates|imports|reports|privacy)_"
)


def _admin_routes() -> dict[str, str]:
    """{route name: pattern} for the admin routes of our apps: every route of a URL namespace
    one of whose views comes from our apps, and the snippets of our apps."""
    admin = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and str(p.pattern) == "admin/"
    )
    by_namespace: dict[str, dict[str, str]] = {}
    ours: set[str] = set()

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = (
                    f"{namespace}:{p.namespace}"
                    if namespace and p.namespace
                    else (p.namespace or namespace)
                )
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern) and p.name:
                by_namespace.setdefault(namespace, {})[f"{namespace}:{p.name}"] = prefix + str(
                    p.pattern
                )
                module = getattr(p.callback, "__module__", "") or ""
                if module.split(".")[0] in OUR_APPS:
                    ours.add(namespace)

    walk(admin.url_patterns, "admin/", "")
    routes = {}
    for namespace, names in by_namespace.items():
        if namespace and (namespace in ours or SNIPPET_NAMESPACE.match(namespace)):
            routes.update(names)
    return routes


def _api_operations() -> set[tuple[str, str]]:
    from config.api import api

    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _as_api_template(
    method: str, path: str, templates: set[tuple[str, str]]
) -> tuple[str, str] | None:
    bare = path.split("?", 1)[0]
    for t_method, template in templates:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if t_method == method and re.match(pattern, re.sub(r"\{[^}]+\}", "x", bare)):
            return t_method, template
    return None


def test_every_admin_and_api_route_of_our_apps_is_in_the_matrix(db):
    covered: set[str] = set()
    for method, path, _codes in MATRIX:
        if (method, path) in MISSING_ROUTES:
            continue
        if path.startswith("/admin/"):
            filled = re.sub(r"\{[^}]+\}", "1", path.split("?", 1)[0])
            match = resolve(filled)
            covered.add(f"{':'.join(match.namespaces)}:{match.url_name}")
    missing_admin = sorted(set(_admin_routes()) - covered - set(NOT_IN_MATRIX))
    assert not missing_admin, (
        "admin routes of our apps missing from the permission matrix (add a row per role): "
        f"{missing_admin}"
    )

    operations = _api_operations()
    covered_api = {
        _as_api_template(method, path, operations)
        for method, path, _codes in MATRIX
        if path.startswith("/api/") and (method, path) not in MISSING_ROUTES
    }
    exempt = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs"), ("GET", "/api/v1/")}
    missing_api = sorted(operations - covered_api - exempt)
    assert not missing_api, f"API operations missing from the permission matrix: {missing_api}"


def test_the_matrix_checks_scope_on_both_sides():
    """Each scoped role has cells allowed and cells denied (the matrix can fail both ways), and
    there are IDOR cells: the same screen with a Cluj id and an Iasi id."""
    for role in ("org", "cc", "fp", "tr", "par"):
        codes = {c.expected for c in CELLS if c.role == role}
        assert {"Y", "N"} <= codes, role
    idor_pairs = {
        re.sub(r"\{(\w+)_(cj|is)\}", r"{\1}", c.path)
        for c in CELLS
        if re.search(r"_(cj|is)\}", c.path)
    }
    assert len(idor_pairs) > 50


def test_the_world_gives_each_scoped_role_its_place(world):
    """The links that make the roles scoped are really stored (a parental many-to-many added
    without saving its parent would quietly leave the organiser and the trainer without scope,
    and half of the matrix would test nothing)."""
    from sessions.models import TrainingSession
    from training.models import FocalPoint, Project, Trainer

    ids, users = world.ids, world.users
    assert list(Project.objects.filter(organisers=users["org"]).values_list("pk", flat=True)) == [
        ids["proj_a"]
    ]
    assert list(
        TrainingSession.objects.filter(trainers__user=users["tr"]).values_list("pk", flat=True)
    ) == [ids["s_cj"]]
    assert Trainer.objects.get(user=users["tr"]).pk == ids["trainer"]
    assert FocalPoint.objects.get(user=users["cc"]).county_id == ids["county_cj"]
    assert FocalPoint.objects.get(user=users["fp"]).institution_id == ids["inst_cj"]
    assert users["par"].professional.last_name == "Somesanu"
