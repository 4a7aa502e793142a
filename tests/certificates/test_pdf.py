"""The certificate page (`render_certificate`), checked on real PDFs: the text read back with
pypdf and pdfium, the QR code decoded from a rendering of the page, the images found as page
objects where the layout puts them."""

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from certificates.documents import CertificateDocument, Signatory
from certificates.pdf import FRAME_INNER, PAGE_HEIGHT, PAGE_WIDTH, render_certificate

NAME = "Ștefania Țîrlea-Mănăilă Îonescu"
TEXT = (
    "a absolvit cursul „Prevenirea și combaterea violenței domestice – intervenție "
    "integrată”, desfășurat în județul Iași în perioada 12–14 martie 2026, cu o durată de "
    "24 de ore."
)
URL = "https://formativ.example.ro/v/K7QM2XWP9RTD4HNB"


def make_document(**overrides) -> CertificateDocument:
    fields = {
        "title": "Certificat de absolvire",
        "holder_name": NAME,
        "text": TEXT,
        "issuer": "Agenția Națională pentru Egalitate de Șanse între Femei și Bărbați",
        "serial": "ANES-2026-000123",
        "code": "K7QM-2XWP-9RTD-4HNB",
        "verify_url": URL,
        "issued_line": "Eliberat la 24 noiembrie 2026",
        "labels": {
            "certify": "Se certifică faptul că",
            "serial": "Număr de serie",
            "code": "Cod de verificare",
            "verify": "Verificați certificatul la",
        },
        "signatories": (
            Signatory(name="Maria Popescu", role="Președinte"),
            Signatory(name="Ion Vlădescu", role="Director, Direcția Programe"),
        ),
        "language": "ro",
    }
    fields.update(overrides)
    return CertificateDocument(**fields)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def flat(text: str) -> str:
    return " ".join(text.split())


def chars_of(pdf: bytes) -> list[tuple[str, float, float, float, float, float]]:
    """Every drawn character: (char, left, bottom, right, top, font size), from pdfium."""
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        chars = []
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            if not char.strip():
                continue  # spaces and the line breaks pdfium generates
            left, bottom, right, top = textpage.get_charbox(i)
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
            chars.append((char, left, bottom, right, top, size))
        return chars
    finally:
        document.close()


def name_size(pdf: bytes, fragment: str) -> float:
    """Font size of the characters of `fragment` where it is drawn."""
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        searcher = textpage.search(fragment, match_case=True)
        found = searcher.get_next()
        assert found, f"{fragment!r} not found on the page"
        index, _count = found
        return pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
    finally:
        document.close()


def decode_qr(pdf: bytes, dpi: int = 200) -> list:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    return zxingcpp.read_barcodes(image)


def image_objects(pdf: bytes) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) of every image drawn on the page."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        return [
            tuple(obj.get_bounds())
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
        ]
    finally:
        document.close()


def png(path, size=(240, 120), colour=(200, 30, 30, 255)) -> str:
    Image.new("RGBA", size, colour).save(path)
    return str(path)


def test_page_is_a4_landscape_and_one_page():
    reader = PdfReader(io.BytesIO(render_certificate(make_document())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(842, abs=1)
    assert float(box.height) == pytest.approx(595, abs=1)


def test_name_is_extracted_exactly_with_comma_below_letters():
    text = text_of(render_certificate(make_document()))
    assert NAME in text
    assert flat(TEXT) in flat(text)
    for cedilla in "ŞşŢţ":
        assert cedilla not in text
    assert "Agenția Națională pentru Egalitate de Șanse între Femei și Bărbați" in text


def test_cedilla_letters_in_the_data_are_drawn_comma_below():
    pdf = render_certificate(make_document(holder_name="Ştefan Ţurcanu", text="Înscris în Iaşi"))
    text = text_of(pdf)
    assert "Ștefan Țurcanu" in text
    assert "Înscris în Iași" in text
    assert not set("ŞşŢţ") & set(text)


def test_serial_code_and_address_are_printed_with_their_labels():
    text = text_of(render_certificate(make_document()))
    for printed in (
        "ANES-2026-000123",
        "K7QM-2XWP-9RTD-4HNB",
        URL,
        "Număr de serie",
        "Cod de verificare",
        "Verificați certificatul la",
        "Se certifică faptul că",
        "Certificat de absolvire",
        "Eliberat la 24 noiembrie 2026",
        "Maria Popescu",
        "Director, Direcția Programe",
    ):
        assert printed in text, printed


def test_qr_code_decodes_to_the_verification_url():
    codes = decode_qr(render_certificate(make_document()))
    assert [(c.format.name, c.text) for c in codes] == [("QRCode", URL)]


def test_qr_code_of_a_long_url_still_decodes():
    url = "https://formativ.anes.gov.ro/ro/certificate/verificare/" + "K7QM2XWP9RTD4HNB" * 3
    codes = decode_qr(render_certificate(make_document(verify_url=url)))
    assert [c.text for c in codes] == [url]


def test_long_name_and_text_shrink_and_stay_inside_the_frame():
    normal = render_certificate(make_document())
    long_name = "Ștefania-Alexandra Țîrlea-Mănăilă-Constantinescu-Vlădescu Îonescu-Brâncoveanu"
    long_text = " ".join([TEXT] * 5)  # ~ 800 characters
    pdf = render_certificate(
        make_document(
            holder_name=long_name,
            text=long_text,
            title="Certificat de absolvire a programului de formare profesională continuă",
            issuer="Agenția Națională pentru Egalitate de Șanse între Femei și Bărbați " * 2,
            signatories=(
                Signatory(name="Maria-Magdalena Popescu-Ionescu", role="Președinte " * 8),
                Signatory(name="Ion Vlădescu", role="Director"),
                Signatory(name="Ana Ștefănescu", role="Expert formare"),
            ),
        )
    )
    text = text_of(pdf)  # asserts one page
    assert flat(long_text) in flat(text)  # wrapped, shrunk, nothing cut
    assert flat(long_name) in flat(text)

    assert name_size(pdf, "Ștefania") < name_size(normal, "Ștefania") - 4
    assert name_size(pdf, "a absolvit") < name_size(normal, "a absolvit")

    chars = chars_of(pdf)
    assert len(chars) > len(long_text) * 0.8
    for char, left, bottom, right, top, _size in chars:
        assert left >= FRAME_INNER and right <= PAGE_WIDTH - FRAME_INNER, char
        assert bottom >= FRAME_INNER and top <= PAGE_HEIGHT - FRAME_INNER, char


def test_blocks_do_not_overlap_when_everything_is_long():
    pdf = render_certificate(make_document(holder_name="Ștefania " * 12, text=" ".join([TEXT] * 6)))
    chars = chars_of(pdf)
    text = "".join(c[0] for c in chars)
    name_start = text.index("Ștefania" * 12)
    name_end = name_start + len("Ștefania" * 12)
    text_start = text.index("aabsolvit")
    issuer_start = text.index("AgențiaNațională")
    name_bottom = min(c[2] for c in chars[name_start:name_end])
    body = chars[text_start:issuer_start]
    assert max(c[4] for c in body) <= name_bottom + 1
    issuer_top = max(c[4] for c in chars[issuer_start : issuer_start + 10])
    assert min(c[2] for c in body) >= issuer_top - 1


def test_absurdly_long_text_is_cut_rather_than_overflowing():
    pdf = render_certificate(make_document(text="cuvânt " * 3000))
    chars = chars_of(pdf)
    assert "…" in text_of(pdf)
    for _char, left, bottom, right, top, _size in chars:
        assert left >= FRAME_INNER and right <= PAGE_WIDTH - FRAME_INNER
        assert bottom >= FRAME_INNER and top <= PAGE_HEIGHT - FRAME_INNER


def test_logos_background_and_signature_are_drawn_where_the_layout_puts_them(tmp_path):
    background = tmp_path / "background.jpg"
    Image.new("RGB", (842, 595), (250, 245, 230)).save(background, quality=80)
    document = make_document(
        logo_left=png(tmp_path / "left.png"),
        logo_right=png(tmp_path / "right.png", colour=(20, 60, 160, 128)),
        background=str(background),
        signatories=(
            Signatory(
                name="Maria Popescu",
                role="Președinte",
                signature_path=png(
                    tmp_path / "signature.png", size=(300, 100), colour=(10, 10, 80, 255)
                ),
            ),
            Signatory(name="Ion Vlădescu", role="Director"),
        ),
    )
    pdf = render_certificate(document)

    reader = PdfReader(io.BytesIO(pdf))
    resources = reader.pages[0]["/Resources"]["/XObject"]
    subtypes = [resources[name].get_object()["/Subtype"] for name in resources]
    assert subtypes.count("/Image") == 4

    boxes = image_objects(pdf)
    assert len(boxes) == 4
    full_page = [b for b in boxes if b[2] - b[0] > 800]
    assert len(full_page) == 1
    others = sorted((b for b in boxes if b not in full_page), key=lambda b: b[0])
    left_logo, signature, right_logo = others
    assert left_logo[0] < 100 and left_logo[3] > PAGE_HEIGHT - 100
    assert right_logo[2] > PAGE_WIDTH - 100 and right_logo[3] > PAGE_HEIGHT - 100
    assert signature[3] < 200  # above the signature line, at the bottom of the page
    # Proportions kept: a 2:1 logo is drawn 2:1, a 3:1 signature 3:1.
    assert (left_logo[2] - left_logo[0]) / (left_logo[3] - left_logo[1]) == pytest.approx(2, 0.02)
    assert (signature[2] - signature[0]) / (signature[3] - signature[1]) == pytest.approx(3, 0.02)

    # The same images in another document: still drawn (cached per file, not per document).
    again = render_certificate(make_document(logo_left=document.logo_left))
    assert len(image_objects(again)) == 1
    assert NAME in text_of(again)


def test_missing_images_are_skipped():
    pdf = render_certificate(
        make_document(logo_left=None, logo_right="/nonexistent/logo.png", background=None)
    )
    assert image_objects(pdf) == []
    assert NAME in text_of(pdf)


def test_metadata_and_language():
    reader = PdfReader(io.BytesIO(render_certificate(make_document(language="ro"))))
    meta = reader.metadata
    assert meta.title == f"Certificat de absolvire – {NAME}"
    assert meta.author == "Agenția Națională pentru Egalitate de Șanse între Femei și Bărbați"
    assert "ANES-2026-000123" in meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "ro"


def test_fonts_are_embedded_subsets():
    reader = PdfReader(io.BytesIO(render_certificate(make_document())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = set()
    for key in fonts:
        font = fonts[key].get_object()
        assert "/FontFile2" in font["/FontDescriptor"]
        names.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert names == {"LiberationSans", "LiberationSans-Bold", "DejaVuSerif-Bold"}


def test_certificates_of_one_batch_differ_only_where_they_should():
    first = render_certificate(make_document(holder_name="Ana Pop", serial="ANES-2026-000001"))
    second = render_certificate(
        make_document(holder_name="Zoe Ţăran-Ĭoniță", serial="ANES-2026-000002")
    )
    assert "Ana Pop" in text_of(first) and "Ana Pop" not in text_of(second)
    assert "Zoe Țăran-Ĭoniță" in text_of(second)  # a letter outside the usual set
    assert "ANES-2026-000002" in text_of(second)
