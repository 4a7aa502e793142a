"""Certificate benchmarks (issue 7). Run with `make bench`; they print figures and ratios to a
baseline measured in the same run, and never fail on time.

1,000 certificates, each with a different holder's name (nothing is cached per document), on
one core, through each stage of the issuing pipeline:
  (a) render only (`render_certificate`);
  (b) render + Open Badges 3.0 credential (build_credential, add_proof eddsa-rdfc-2022,
      sign_jwt);
  (c) render + embed + PAdES seal (`seal_pdf`);
  (d) the whole pipeline: render + credential + embed both credential files + seal + store
      (the sealed file written to disk with its SHA-256, as the issuing service stores it).
Rates are per core: documents per CPU-second of this process (the machine is shared; the
wall clock is printed beside), the four stages taking turns in rounds of 100 documents so
that a busy spell weighs on all of them alike. The baseline: a stock WeasyPrint rendering of
the same page (HTML with the same texts, the same fonts and an inline SVG QR code from
segno), a few documents, extrapolated. Then the projection for 17,000 certificates on two
cores, and the bar from ../shared/BENCHMARKS.md.

No database: documents are built by hand; the credential's URLs come from `reverse`."""

import datetime
import hashlib
import html
import itertools
import json
import time
from pathlib import Path

import pytest
import segno
from django.conf import settings
from PIL import Image, ImageDraw

from certificates.documents import CertificateDocument, Signatory
from certificates.pdf import render_certificate
from certificates.seal import Attachment, seal_pdf, seal_signer

pytestmark = [pytest.mark.bench]

COUNT = 1000
ROUNDS = 10
WEASYPRINT_COUNT = 5
PROJECT_SIZE = 17_000  # persons trained by the Istanbul Convention project
CORES = 2

# ../shared/BENCHMARKS.md and issue 7.
PRETIX_BADGES_PER_SECOND = 90  # 1,000 badge PDFs in 11 s
INDICO_BADGES_PER_SECOND = 40  # 21–26 s
GOAL_PDF_QR_OB3 = 2 * PRETIX_BADGES_PER_SECOND  # ≥ 2× pretix
GOAL_SEALED = INDICO_BADGES_PER_SECOND  # sealed ≥ Indico's unsealed rate
GOAL_UNSEALED_PER_CORE = 80
GOAL_PROJECT_SECONDS = 600

FIRST = [
    "Ștefania",
    "Ioana",
    "Mihai",
    "Țicu",
    "Ană",
    "Bogdan",
    "Irina",
    "Râmnic",
    "Dorin",
    "Îlinca",
]
MIDDLE = ["", "Maria ", "Alexandru ", "Elena ", "Ion-", "Cătălina "]
LAST = [
    "Țîrlea-Mănăilă",
    "Popescu",
    "Ionescu",
    "Ștefănescu",
    "Brâncoveanu",
    "Vlădescu",
    "Dumitrașcu",
    "Constantinescu-Ardeleanu",
    "Neagu",
    "Mureșan",
    "Bălan",
]
TEXT = (
    "a absolvit cursul „Prevenirea și combaterea violenței domestice – intervenție "
    "integrată”, desfășurat în județul Iași în perioada 12–14 martie 2026, cu o durată de "
    "24 de ore."
)
ISSUER = "Agenția Națională pentru Egalitate de Șanse între Femei și Bărbați"
LABELS = {
    "certify": "Se certifică faptul că",
    "serial": "Număr de serie",
    "code": "Cod de verificare",
    "verify": "Verificați certificatul la",
}


def _names(count: int) -> list[str]:
    combos = itertools.cycle(itertools.product(FIRST, MIDDLE, LAST))
    return [
        f"{first} {middle}{last} {i}"
        for i, (first, middle, last) in zip(range(count), combos, strict=False)
    ]


def _images(folder: Path) -> dict[str, str]:
    """Two logos with transparency and a signature, as a template would have them."""
    logo = Image.new("RGBA", (480, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((10, 10, 190, 190), fill=(20, 60, 140, 255))
    draw.rectangle((210, 70, 470, 130), fill=(180, 30, 30, 255))
    logo.save(folder / "logo.png")
    signature = Image.new("RGB", (360, 120), "white")
    ImageDraw.Draw(signature).line((10, 90, 90, 20, 180, 80, 350, 30), fill=(10, 10, 80), width=4)
    signature.save(folder / "signature.png")
    return {"logo": str(folder / "logo.png"), "signature": str(folder / "signature.png")}


def _documents(count: int, images: dict[str, str]) -> list[CertificateDocument]:
    documents = []
    for i, name in enumerate(_names(count)):
        code = hashlib.sha256(name.encode()).hexdigest()[:16].upper()
        documents.append(
            CertificateDocument(
                title="Certificat de absolvire",
                holder_name=name,
                text=TEXT,
                issuer=ISSUER,
                serial=f"ANES-2026-{i + 1:06d}",
                code="-".join(code[j : j + 4] for j in range(0, 16, 4)),
                verify_url=f"https://formativ.anes.gov.ro/v/{code}",
                issued_line="Eliberat la 24 noiembrie 2026",
                labels=LABELS,
                signatories=(
                    Signatory("Maria Popescu", "Președinte", images["signature"]),
                    Signatory("Ion Vlădescu", "Director, Direcția Programe și Proiecte"),
                ),
                logo_left=images["logo"],
                logo_right=images["logo"],
                language="ro",
            )
        )
    return documents


def _data(document: CertificateDocument) -> dict:
    """The frozen data the credential is built from (as certified_data makes it)."""
    return {
        "title": document.title,
        "text": document.text,
        "issuer": document.issuer,
        "holder_name": document.holder_name,
        "starts_on": "2026-03-12",
        "ends_on": "2026-03-14",
        "course_code": "VD-101",
        "course_title": "Prevenirea și combaterea violenței domestice",
    }


def _credential_stage():
    """(credential, jwt) of a document, or None with the reason if credentials.py is not
    usable yet."""
    try:
        from certificates import credentials
        from certificates.keys import credential_key

        key = credential_key()
        issued_at = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)

        def credential(document: CertificateDocument, index: int):
            unsigned = credentials.build_credential(
                serial=document.serial,
                data=_data(document),
                issued_at=issued_at,
                status_index=index,
                verify_url=document.verify_url,
            )
            return (
                credentials.add_proof(unsigned, key=key, created=issued_at),
                credentials.sign_jwt(unsigned, key=key),
            )

        credential(_documents(1, {"logo": None, "signature": None})[0], 0)
    except Exception as error:  # noqa: BLE001 - any failure means: not ready, say why
        return None, f"{type(error).__name__}: {error}"
    return credential, None


def _attachments(credential: dict, jwt: str) -> list[Attachment]:
    return [
        Attachment(
            filename="credential.json",
            data=json.dumps(credential, ensure_ascii=False, indent=2).encode(),
            mime_type="application/vc+ld+json",
            description="Open Badges 3.0 credential (Data Integrity proof, eddsa-rdfc-2022)",
        ),
        Attachment(
            filename="credential.jwt",
            data=jwt.encode("ascii"),
            mime_type="application/vc+jwt",
            description="Open Badges 3.0 credential (VC-JWT)",
        ),
    ]


class Stage:
    """Documents made by one stage and the CPU time (this process) and wall time they took."""

    def __init__(self, one):
        self.one = one
        self.count = 0
        self.cpu = 0.0
        self.wall = 0.0
        self.bytes = 0

    def run(self, chunk) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        results = [self.one(i, document) for i, document in chunk]
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall
        self.count += len(chunk)
        self.bytes += sum(len(r) for r in results if isinstance(r, bytes))

    @property
    def rate(self) -> float:
        """Documents per CPU-second: per core, whatever else the machine is doing."""
        return self.count / self.cpu

    @property
    def wall_rate(self) -> float:
        return self.count / self.wall


def _interleaved(documents, stages: dict[str, Stage], *, rounds: int) -> None:
    """Every stage over all the documents, in rounds that take turns (a, b, c, d, a, b, …),
    so that a busy spell of the machine weighs on every stage alike."""
    indexed = list(enumerate(documents))
    size = -(-len(indexed) // rounds)
    for start in range(0, len(indexed), size):
        for stage in stages.values():
            stage.run(indexed[start : start + size])


# --- the WeasyPrint baseline --------------------------------------------------------------------

WEASYPRINT_PAGE = """<!doctype html>
<html lang="ro"><head><meta charset="utf-8"><style>
@font-face {{ font-family: "Liberation Sans"; src: url("{fonts}/LiberationSans-Regular.ttf"); }}
@font-face {{ font-family: "Liberation Sans"; font-weight: bold;
  src: url("{fonts}/LiberationSans-Bold.ttf"); }}
@font-face {{ font-family: "DejaVu Serif"; font-weight: bold;
  src: url("{fonts}/DejaVuSerif-Bold.ttf"); }}
@page {{ size: A4 landscape; margin: 0; }}
body {{ margin: 0; font-family: "Liberation Sans"; color: #222; }}
.frame {{ position: absolute; inset: 18pt; border: 2.4pt solid #1b2a41; }}
.inner {{ position: absolute; inset: 25pt; border: 0.8pt solid #b08d57; }}
.logo {{ position: absolute; top: 42pt; width: 150pt; height: 58pt; object-fit: contain; }}
.title {{ position: absolute; top: 108pt; width: 100%; text-align: center;
  font: bold 34pt "DejaVu Serif"; color: #1b2a41; }}
.certify {{ position: absolute; top: 183pt; width: 100%; text-align: center; font-size: 13pt;
  color: #5c5c61; }}
.name {{ position: absolute; top: 210pt; width: 100%; text-align: center; font-size: 30pt;
  font-weight: bold; color: #1b2a41; }}
.text {{ position: absolute; top: 265pt; left: 121pt; width: 600pt; text-align: center;
  font-size: 14pt; line-height: 1.38; }}
.issuer {{ position: absolute; top: 355pt; width: 100%; text-align: center; font-weight: bold;
  font-size: 12.5pt; }}
.issued {{ position: absolute; top: 375pt; width: 100%; text-align: center; font-size: 11pt; }}
.qr {{ position: absolute; left: 42pt; bottom: 42pt; width: 86pt; height: 86pt; }}
.qr svg {{ width: 86pt; height: 86pt; }}
.ids {{ position: absolute; left: 130pt; bottom: 56pt; font-size: 7pt; line-height: 1.3; }}
.ids b {{ font-size: 8.5pt; display: block; margin-bottom: 4pt; }}
.signatory {{ position: absolute; bottom: 52pt; width: 170pt; text-align: center;
  border-top: 0.6pt solid #5c5c61; padding-top: 6pt; font-size: 9pt; }}
.signatory img {{ position: absolute; bottom: 100%; left: 0; width: 170pt; height: 47pt;
  object-fit: contain; }}
</style></head><body>
<div class="frame"></div><div class="inner"></div>
<img class="logo" style="left: 48pt" src="{logo}">
<img class="logo" style="right: 48pt" src="{logo}">
<div class="title">{title}</div><div class="certify">{certify}</div>
<div class="name">{name}</div><div class="text">{text}</div>
<div class="issuer">{issuer}</div><div class="issued">{issued}</div>
<div class="signatory" style="left: 420pt"><img src="{signature}"><b>{sign1}</b><br>{role1}</div>
<div class="signatory" style="left: 620pt"><b>{sign2}</b><br>{role2}</div>
<div class="qr">{qr}</div>
<div class="ids">{serial_label}<b>{serial}</b>{code_label}<b>{code}</b>
{verify_label}<b>{url}</b></div>
</body></html>"""


def _weasyprint_html(document: CertificateDocument) -> str:
    fonts = (Path(settings.BASE_DIR) / "static" / "fonts").as_uri()
    first, second = document.signatories
    e = html.escape
    return WEASYPRINT_PAGE.format(
        fonts=fonts,
        logo=Path(document.logo_left).as_uri(),
        signature=Path(first.signature_path).as_uri(),
        title=e(document.title),
        certify=e(document.labels["certify"]),
        name=e(document.holder_name),
        text=e(document.text),
        issuer=e(document.issuer),
        issued=e(document.issued_line),
        sign1=e(first.name),
        role1=e(first.role),
        sign2=e(second.name),
        role2=e(second.role),
        qr=segno.make_qr(document.verify_url, error="m").svg_inline(border=4),
        serial_label=e(document.labels["serial"]),
        serial=e(document.serial),
        code_label=e(document.labels["code"]),
        code=e(document.code),
        verify_label=e(document.labels["verify"]),
        url=e(document.verify_url),
    )


def _weasyprint_rate(documents) -> tuple[float, int] | tuple[None, str]:
    """Documents per CPU-second, after one warm-up document."""
    try:
        import weasyprint
    except ImportError as error:
        return None, str(error)
    weasyprint.HTML(string=_weasyprint_html(documents[0])).write_pdf()  # warm-up, not counted
    size = 0
    started = time.process_time()
    for document in documents:
        size += len(weasyprint.HTML(string=_weasyprint_html(document)).write_pdf())
    return len(documents) / (time.process_time() - started), size // len(documents)


# --- the benchmark ------------------------------------------------------------------------------


def test_certificate_pipeline(tmp_path):
    images = _images(tmp_path)
    documents = _documents(COUNT, images)
    assert len({d.holder_name for d in documents}) == COUNT
    store = tmp_path / "store"
    store.mkdir()

    # Warm-up, once per process as in a worker: fonts registered, images decoded, seal key
    # parsed, and the first PDFs made (the caches these fill are per process, not per document).
    warm = _documents(3, images)
    for document in warm:
        seal_pdf(render_certificate(document), attachments=[])
    seal_signer()

    credential, why_not = _credential_stage()
    if credential is not None:
        files = _attachments(*credential(documents[0], 0))
    else:  # stand-ins of the same size class
        files = _attachments({"stand-in": "credential" * 200}, "e30.e30.c2ln")

    def whole(i, document):
        pdf = seal_pdf(
            render_certificate(document), attachments=_attachments(*credential(document, i))
        )
        (store / f"{document.serial}.pdf").write_bytes(pdf)
        hashlib.sha256(pdf).hexdigest()
        return pdf

    stages = {
        # (a) render only
        "render": Stage(lambda i, d: render_certificate(d)),
        # (c) render + embed + seal (the credential files of the first document)
        "sealed": Stage(lambda i, d: seal_pdf(render_certificate(d), attachments=files)),
    }
    if credential is not None:
        # (b) render + credential; (d) the whole pipeline, stored
        stages["credential"] = Stage(lambda i, d: (render_certificate(d), credential(d, i)))
        stages["whole"] = Stage(whole)
    _interleaved(documents, stages, rounds=ROUNDS)
    render_rate = stages["render"].rate
    render_size = stages["render"].bytes // COUNT
    seal_rate = stages["sealed"].rate
    sealed_size = stages["sealed"].bytes // COUNT
    if credential is not None:
        credential_rate = stages["credential"].rate
        whole_rate = stages["whole"].rate

    # The baseline, same run.
    weasy_rate, weasy_size = _weasyprint_rate(documents[:WEASYPRINT_COUNT])
    busy = stages["render"].wall / stages["render"].cpu

    print()
    print(
        f"certificates, {COUNT} documents, each with a different holder's name; rates per "
        f"core = documents per CPU-second of this process, stages interleaved in {ROUNDS} "
        f"rounds (wall clock ×{busy:.2f} the CPU time: other work on the machine)"
    )
    print(
        f"  (a) render only (ReportLab canvas): {render_rate:.0f}/s, "
        f"{1000 / render_rate:.1f} ms each, {render_size / 1024:.0f} KiB"
    )
    if credential is not None:
        print(
            f"  (b) render + OB 3.0 credential (eddsa-rdfc-2022 proof + VC-JWT): "
            f"{credential_rate:.0f}/s, {1000 / credential_rate:.1f} ms each "
            f"(credential alone ≈ {1000 / credential_rate - 1000 / render_rate:.1f} ms)"
        )
    else:
        print(f"  (b) render + credential: skipped, certificates.credentials not usable: {why_not}")
    print(
        f"  (c) render + embed + PAdES B-B seal: {seal_rate:.0f}/s, {1000 / seal_rate:.1f} ms "
        f"each (seal ≈ {1000 / seal_rate - 1000 / render_rate:.1f} ms), "
        f"{sealed_size / 1024:.0f} KiB"
    )
    if credential is not None:
        print(
            f"  (d) whole pipeline (render + credential + embed + seal + store): "
            f"{whole_rate:.0f}/s, {1000 / whole_rate:.1f} ms each"
        )
    else:
        print("  (d) whole pipeline: skipped (needs the credential stage)")

    if weasy_rate is None:
        print(f"  baseline: WeasyPrint not importable ({weasy_size}); no ratio")
    else:
        print(
            f"  baseline, stock WeasyPrint, same page ({WEASYPRINT_COUNT} documents, "
            f"extrapolated): {weasy_rate:.2f}/s, {1000 / weasy_rate:.0f} ms each, "
            f"{weasy_size / 1024:.0f} KiB → render ×{render_rate / weasy_rate:.0f} faster, "
            f"sealed ×{seal_rate / weasy_rate:.0f}"
            + (f", whole pipeline ×{whole_rate / weasy_rate:.0f}" if credential else "")
        )

    if credential is not None:
        # Issue runs take turns on the serial counter (gap-free serials: each chunk renders
        # inside the transaction that reserves its numbers), so a whole project issues at one
        # core's pace however many workers run; two cores are the issue's hardware bar.
        one_core = PROJECT_SIZE / whole_rate
        seconds = PROJECT_SIZE / (whole_rate * CORES)
        print(
            f"  projection: {PROJECT_SIZE:,} certificates, whole pipeline: {one_core / 60:.1f} min "
            f"as Formativ issues them (one run at a time, {whole_rate:.0f}/s); "
            f"{seconds / 60:.1f} min if {CORES} cores worked in parallel "
            f"(goal < {GOAL_PROJECT_SECONDS // 60} min on {CORES} cores: "
            f"{'met' if one_core < GOAL_PROJECT_SECONDS else 'NOT met'} even on one)"
        )
    print(
        "  vs ../shared/BENCHMARKS.md (their machine, ±25–40 %): pretix badges "
        f"~{PRETIX_BADGES_PER_SECOND}/s, Indico ~{INDICO_BADGES_PER_SECOND}/s; goals: "
        f"PDF+QR+OB 3.0 ≥ {GOAL_PDF_QR_OB3}/s, sealed ≥ {GOAL_SEALED}/s, "
        f"unsealed ≥ {GOAL_UNSEALED_PER_CORE}/s per core (issue 7)"
    )
    print(
        f"    render only {render_rate:.0f}/s = ×{render_rate / PRETIX_BADGES_PER_SECOND:.1f} "
        f"pretix, ×{render_rate / GOAL_UNSEALED_PER_CORE:.1f} the issue's per-core goal"
    )
    if credential is not None:
        print(
            f"    PDF+QR+OB 3.0 {credential_rate:.0f}/s per core, {credential_rate * CORES:.0f}/s "
            f"on {CORES} cores = ×{credential_rate * CORES / PRETIX_BADGES_PER_SECOND:.1f} "
            f"pretix (goal ≥ ×2)"
        )
    print(
        f"    sealed {seal_rate:.0f}/s per core = ×{seal_rate / INDICO_BADGES_PER_SECOND:.1f} "
        f"Indico's unsealed rate (goal ≥ ×1)"
        + (
            f"; whole pipeline {whole_rate:.0f}/s per core = "
            f"×{whole_rate / INDICO_BADGES_PER_SECOND:.1f}"
            if credential
            else ""
        )
    )
    print(
        json.dumps(
            {
                "render_per_s": round(render_rate, 1),
                "credential_per_s": round(credential_rate, 1) if credential else None,
                "sealed_per_s": round(seal_rate, 1),
                "whole_per_s": round(whole_rate, 1) if credential else None,
                "weasyprint_per_s": round(weasy_rate, 2) if weasy_rate else None,
            }
        )
    )
