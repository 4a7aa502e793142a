"""The certificate page: one A4 landscape PDF page drawn straight onto a ReportLab canvas.

The layout is fixed (no platypus): a double frame, the logos, the title, "This certifies that",
the holder's name, the certificate's text, the issuer and the issue date, the signatories along
the bottom, and in the bottom-left corner a QR code of the public verification page with the
serial, the verification code and the page's address beside it. Every text shrinks until it
fits its box; nothing overflows, whatever the length of a name or of a course title.

Fonts: Liberation Sans (SIL OFL 1.1, the files `sessions.signin_sheet` uses) and, for the
title, DejaVu Serif Bold (Bitstream Vera licence, static/fonts/DejaVu-LICENSE.txt); both cover
ă â î ș ț, which ReportLab's built-in fonts do not. They are registered once per process
(`register_certificate_fonts`). Texts are normalised (NFC, comma-below ș ț) once more before
drawing.

Bulk issuing makes this the hot path, so:
- the QR code is encoded with a fixed mask (automatic mask selection costs 4-5× the encoding)
  and drawn as one vector path of module runs in module units, with no raster image;
- images (logos, background, signatures) are decoded and compressed once per file and process,
  then added to each document as a ready PDF image object (ReportLab would re-hash and
  re-compress the pixels of every image for every document);
- each font's embedded subset is built once per distinct subset (`SubsetCachingTTFont`);
- text is measured once at 1 pt and scaled, so shrinking to fit is arithmetic, not re-measuring;
- streams are binary, not ASCII85 (`rl_config.useA85`).

PDF/A: not claimed. ReportLab's open-source edition cannot produce PDF/A (no output intent,
no XMP metadata); the page is a plain PDF with embedded fonts, which PAdES sealing
(certificates/seal.py) accepts as it is."""

import copy
import functools
import hashlib
import logging
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import segno
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas

from certificates.documents import CertificateDocument
from sessions.signin_sheet import font_dir, register_fonts
from training.text import normalize_text

# ReportLab ASCII85-encodes every stream by default, a 7-bit transport of the 1990s that makes
# files 25 % larger and costs ~1.5 ms of pure Python per page: off for the process (binary
# streams are what every PDF reader expects; the sign-in sheets get them too).
rl_config.useA85 = 0

logger = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)  # 841.89 × 595.28 pt

SERIF_BOLD = "FormativCertificateSerif-Bold"
SERIF_BOLD_FILE = "DejaVuSerif-Bold.ttf"

# Colours (RGB 0-1): a deep navy ink for the title and frame, a muted gold accent.
INK = (0.106, 0.165, 0.255)
GOLD = (0.690, 0.553, 0.341)
TEXT = (0.13, 0.13, 0.13)
MUTED = (0.36, 0.36, 0.38)
BLACK = (0, 0, 0)

# The frame: a heavy outer rule and a thin inner one; everything is drawn inside MARGIN.
FRAME_OUTER = 18.0
FRAME_INNER = 25.0
MARGIN = 48.0
CONTENT_LEFT = MARGIN
CONTENT_RIGHT = PAGE_WIDTH - MARGIN
CENTRE = PAGE_WIDTH / 2

# Vertical slots (PDF points from the bottom). Boxes are (top, bottom).
LOGO_BOX = (PAGE_HEIGHT - MARGIN + 6, PAGE_HEIGHT - MARGIN - 52)  # 58 pt high
LOGO_WIDTH = 150.0
TITLE_BOX = (PAGE_HEIGHT - 108, PAGE_HEIGHT - 152)
ORNAMENT_Y = PAGE_HEIGHT - 166
CERTIFY_BOX = (PAGE_HEIGHT - 180, PAGE_HEIGHT - 200)
NAME_BOX = (PAGE_HEIGHT - 206, PAGE_HEIGHT - 252)
TEXT_BOX = (PAGE_HEIGHT - 262, PAGE_HEIGHT - 346)
ISSUER_BOX = (PAGE_HEIGHT - 354, PAGE_HEIGHT - 372)
ISSUED_BOX = (PAGE_HEIGHT - 374, PAGE_HEIGHT - 390)

TITLE_WIDTH = 600.0
NAME_WIDTH = 640.0
TEXT_WIDTH = 600.0

# Bottom row: the QR block on the left, the signatories spread over the rest.
QR_SIZE = 86.0  # including the 4-module quiet zone
QR_X = MARGIN - 6  # the quiet zone is white: the visible code starts a few points further in
QR_Y = MARGIN - 6
QR_BORDER = 4
QR_LABEL_X = QR_X + QR_SIZE + 2
QR_LABEL_WIDTH = 200.0
SIGNATORIES_LEFT = QR_LABEL_X + QR_LABEL_WIDTH + 16
SIGNATURE_LINE_Y = 96.0
SIGNATURE_IMAGE_BOX = (SIGNATURE_LINE_Y + 50, SIGNATURE_LINE_Y + 3)
SIGNATORY_NAME_BOX = (SIGNATURE_LINE_Y - 5, SIGNATURE_LINE_Y - 19)
SIGNATORY_ROLE_BOX = (SIGNATURE_LINE_Y - 21, SIGNATURE_LINE_Y - 44)

# Share of the font size above the baseline (Liberation Sans cap height ≈ 0.73, ascender 0.91).
CAP = 0.72


class _Raw(pdfdoc.PDFObject):
    """Bytes already in PDF syntax (a cached, formatted object)."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


@dataclass(frozen=True)
class _SubsetParts:
    base_font: str
    widths: bytes  # the /Widths array, formatted
    to_unicode: bytes  # the ToUnicode CMap, deflated
    font_file: bytes  # the subset font program, deflated
    font_file_length: int  # its length before deflating (/Length1)


class SubsetCachingTTFont(TTFont):
    """A TrueType font whose embedded subsets are built once per distinct subset and process.

    ReportLab re-subsets, re-measures and re-deflates every font of every document (about 1 ms
    a font). A subset is ASCII (ReportLab's asciiReadable) plus the other letters in the order
    a document first uses them; `seed` gives the Romanian letters and typographic marks their
    codes in a fixed order at the start of each document, so the subset is the same from one
    certificate to the next and its PDF objects come from the cache (`_subset_parts`); a name
    with a rarer letter (é, ö, ł…) makes one more entry. Only `addObjects` differs from
    TTFont; the output is what TTFont writes."""

    def seed(self, doc, text: str) -> None:
        self.splitString(text, doc)

    def addObjects(self, doc):
        state = self._assignState(doc)
        state.frozen = 1
        fonts = doc.idToObject["BasicFonts"].dict
        for number, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(number, doc)[1:]
            parts = _subset_parts(self, number, tuple(subset))
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {number}"
            font.Name = internal_name
            font.BaseFont = parts.base_font
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Raw(parts.widths)
            font.ToUnicode = doc.Reference(
                _deflated_stream(parts.to_unicode), "toUnicodeCMap:" + parts.base_font
            )
            font_file = _deflated_stream(parts.font_file, Length1=parts.font_file_length)
            face = self.face
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(parts.base_font),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": doc.Reference(
                        font_file, f"fontFile:{face.filename}({parts.base_font})"
                    ),
                    "MissingWidth": face.defaultWidth,
                }
            )
            font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + parts.base_font)
            doc.Reference(font, internal_name)
            fonts[internal_name] = font
        del self.state[doc]


def _deflated_stream(content: bytes, **entries) -> pdfdoc.PDFStream:
    dictionary = pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFName("FlateDecode"), **entries})
    return pdfdoc.PDFStream(dictionary=dictionary, content=content)


@functools.lru_cache(maxsize=256)
def _subset_parts(font: TTFont, number: int, subset: tuple[int, ...]) -> _SubsetParts:
    face = font.face
    base_font = (SUBSETN(number) + b"+" + face.name + face.subfontNameX).decode("pdfdoc")
    font_file = face.makeSubset(list(subset))
    widths = pdfdoc.PDFArray([face.getCharWidth(code) for code in subset])
    return _SubsetParts(
        base_font=base_font,
        widths=widths.format(None),
        to_unicode=zlib.compress(makeToUnicodeCMap(base_font, subset).encode("latin-1")),
        font_file=zlib.compress(font_file),
        font_file_length=len(font_file),
    )


# Assigned first in every document, in this order (see SubsetCachingTTFont).
SEED = "ăâîșțĂÂÎȘȚ„“”–’…"


@functools.cache
def register_certificate_fonts() -> tuple[str, str, str]:
    """(regular, bold, title) font names, registered with ReportLab once per process: the
    sign-in sheet's Liberation Sans (`register_fonts`) and DejaVu Serif Bold for the title,
    all three made `SubsetCachingTTFont`s.

    ReportLab keeps one font object per typeface (a second registration of Liberation Sans
    under another name returns the first object), so the fonts are upgraded in place rather
    than registered anew; the sign-in sheets then get cached subsets too, with the same output
    (the class changes `addObjects` only and holds no state of its own)."""
    regular, bold = register_fonts()
    if SERIF_BOLD not in pdfmetrics.getRegisteredFontNames():
        # Subset to the title's own letters (asciiReadable off): a title is the same for a
        # whole batch, so its subset is always cached, and stays small.
        path = font_dir() / SERIF_BOLD_FILE
        pdfmetrics.registerFont(TTFont(SERIF_BOLD, path, asciiReadable=False))
    for name in (regular, bold, SERIF_BOLD):
        font = pdfmetrics.getFont(name)
        if type(font) is TTFont:
            font.__class__ = SubsetCachingTTFont
    return regular, bold, SERIF_BOLD


# --- text fitting -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _unit_width(text: str, font: str) -> float:
    """Width of `text` at 1 pt (cached: words repeat from one certificate to the next)."""
    return pdfmetrics.stringWidth(text, font, 1.0)


def _break_word(word: str, font: str, limit: float) -> list[str]:
    """A word wider than the line, cut into pieces that fit (`limit` in 1-pt units)."""
    pieces, current = [], ""
    for char in word:
        if current and _unit_width(current + char, font) > limit:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def _wrap(words: Sequence[str], widths: Sequence[float], space: float, limit: float) -> list[str]:
    """Greedy line breaking; `widths`, `space` and `limit` in 1-pt units."""
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word, width in zip(words, widths, strict=True):
        if line and used + space + width > limit:
            lines.append(" ".join(line))
            line, used = [word], width
        else:
            used = used + space + width if line else width
            line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


@dataclass(frozen=True)
class Fitted:
    lines: list[str]
    size: float
    leading: float


def fit_text(
    text: str,
    *,
    font: str,
    width: float,
    height: float,
    max_size: float,
    min_size: float = 4.0,
    max_lines: int = 99,
    leading_ratio: float = 1.3,
) -> Fitted:
    """The largest size (in 0.5 pt steps from `max_size`) at which `text`, wrapped to `width`,
    fits `height` in at most `max_lines` lines. Below `min_size` the text is cut with "…"
    rather than overflow (only absurd lengths get there)."""
    words = text.split()
    if not words:
        return Fitted([], max_size, max_size * leading_ratio)
    space = _unit_width(" ", font)
    size = max_size
    while size >= min_size:
        limit = width / size
        unit_words, unit_widths = [], []
        for word in words:
            word_width = _unit_width(word, font)
            if word_width > limit:
                for piece in _break_word(word, font, limit):
                    unit_words.append(piece)
                    unit_widths.append(_unit_width(piece, font))
            else:
                unit_words.append(word)
                unit_widths.append(word_width)
        lines = _wrap(unit_words, unit_widths, space, limit)
        leading = size * leading_ratio
        if len(lines) <= max_lines and (len(lines) - 1) * leading + size <= height:
            return Fitted(lines, size, leading)
        size -= 0.5
    # Cut: as many lines as fit at the smallest size, the last one ending in "…".
    size = min_size
    leading = size * leading_ratio
    limit = width / size
    room = max(1, min(max_lines, int((height - size) // leading) + 1))
    unit_words = [p for w in words for p in _break_word(w, font, limit)]
    lines = _wrap(unit_words, [_unit_width(w, font) for w in unit_words], space, limit)[:room]
    last = lines[-1]
    while last and _unit_width(last + "…", font) > limit:
        last = last[:-1]
    lines[-1] = last + "…"
    return Fitted(lines, size, leading)


def _draw_centred_block(
    c: Canvas, fitted: Fitted, *, font: str, box: tuple[float, float], x: float = CENTRE
) -> None:
    """Draw the lines centred on `x`, the block centred vertically in `box` (top, bottom)."""
    top, bottom = box
    block = (len(fitted.lines) - 1) * fitted.leading + fitted.size * CAP
    baseline = (top + bottom) / 2 + block / 2 - fitted.size * CAP
    c.setFont(font, fitted.size, fitted.leading)
    for line in fitted.lines:
        c.drawCentredString(x, baseline, line)
        baseline -= fitted.leading


def _draw_line(
    c: Canvas,
    text: str,
    *,
    font: str,
    size: float,
    width: float,
    x: float,
    y: float,
    align: str = "centre",
) -> None:
    """One line at `size`, or smaller if it would be wider than `width`."""
    natural = _unit_width(text, font)
    if natural * size > width:
        size = width / natural
    c.setFont(font, size)
    if align == "centre":
        c.drawCentredString(x, y, text)
    else:
        c.drawString(x, y, text)


# --- images -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _image_object(path: str, mtime_ns: int, size: int) -> pdfdoc.PDFImageXObject:
    """The PDF image object of a file, decoded and compressed once (keyed by path and
    modification, so a replaced file is read again). Never registered in a document itself:
    each document gets a shallow copy (see `_draw_image`)."""
    name = hashlib.sha1(f"{path}:{mtime_ns}:{size}".encode(), usedforsecurity=False).hexdigest()
    image = pdfdoc.PDFImageXObject(name, ImageReader(path), mask="auto")
    image.name = name
    return image


def _register_image(c: Canvas, path: str) -> tuple[str, str, float, float]:
    """Add the image at `path` to the canvas's document (once per document); returns
    (form name, resource name, pixel width, pixel height)."""
    stat = os.stat(path)
    template = _image_object(path, stat.st_mtime_ns, stat.st_size)
    doc = c._doc
    resource = doc.getXObjectName(template.name)
    if resource not in doc.idToObject:
        image = copy.copy(template)
        smask = getattr(template, "_smask", None)
        if smask is not None:
            del image._smask
            image.smask = doc.Reference(copy.copy(smask), doc.getXObjectName(smask.name))
        doc.Reference(image, resource)
    return template.name, resource, template.width, template.height


def _draw_image(
    c: Canvas,
    path: str | None,
    *,
    x: float,
    y: float,
    width: float,
    height: float,
    anchor: str = "c",
) -> bool:
    """Draw the image at `path` inside the box, keeping its proportions (anchored left,
    centre or right: "w", "c", "e"). False if there is no such readable image."""
    if not path:
        return False
    try:
        name, resource, pixels_x, pixels_y = _register_image(c, path)
    except OSError as error:  # missing or unreadable: the certificate is drawn without it
        logger.warning("Certificate image %s left out: %s", path, error)
        return False
    scale = min(width / pixels_x, height / pixels_y)
    drawn_w, drawn_h = pixels_x * scale, pixels_y * scale
    if anchor == "w":
        left = x
    elif anchor == "e":
        left = x + width - drawn_w
    else:
        left = x + (width - drawn_w) / 2
    bottom = y + (height - drawn_h) / 2
    c.addLiteral(f"q {drawn_w:.2f} 0 0 {drawn_h:.2f} {left:.2f} {bottom:.2f} cm /{resource} Do Q")
    c._formsinuse.append(name)  # lists the image in the page's resources
    c._currentPageHasImages = 1
    return True


# --- QR code ------------------------------------------------------------------------------------


def qr_matrix(url: str):
    """The QR modules of `url`: error correction M, a fixed mask (automatic mask selection
    costs 4-5× the whole encoding; any mask decodes), no error-level boost."""
    return segno.make_qr(url, error="m", mask=0, boost_error=False).matrix


def _draw_qr(c: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of horizontal module runs, in module units, with a
    white 4-module quiet zone; (x, y) is the bottom-left corner of the quiet zone."""
    matrix = qr_matrix(url)
    count = len(matrix)
    module = size / (count + 2 * QR_BORDER)
    ops = []
    for row, modules in enumerate(matrix):
        col = 0
        while col < count:
            if modules[col]:
                start = col
                while col < count and modules[col]:
                    col += 1
                ops.append(f"{start} {row} {col - start} 1 re")
            else:
                col += 1
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColorRGB(*BLACK)
    # Module (0, 0) is the top-left corner: flip y, origin at the code's top-left.
    origin_x = x + QR_BORDER * module
    origin_y = y + size - QR_BORDER * module
    c.addLiteral(
        f"q {module:.5f} 0 0 {-module:.5f} {origin_x:.3f} {origin_y:.3f} cm\n"
        + "\n".join(ops)
        + "\nf Q"
    )


# --- the page -----------------------------------------------------------------------------------


def _frame(c: Canvas) -> None:
    c.setStrokeColorRGB(*INK)
    c.setLineWidth(2.4)
    c.rect(FRAME_OUTER, FRAME_OUTER, PAGE_WIDTH - 2 * FRAME_OUTER, PAGE_HEIGHT - 2 * FRAME_OUTER)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(0.8)
    c.rect(FRAME_INNER, FRAME_INNER, PAGE_WIDTH - 2 * FRAME_INNER, PAGE_HEIGHT - 2 * FRAME_INNER)
    # Small gold squares at the inner frame's corners.
    c.setFillColorRGB(*GOLD)
    for cx in (FRAME_INNER, PAGE_WIDTH - FRAME_INNER):
        for cy in (FRAME_INNER, PAGE_HEIGHT - FRAME_INNER):
            c.rect(cx - 3, cy - 3, 6, 6, stroke=0, fill=1)


def _ornament(c: Canvas, y: float) -> None:
    """A short gold rule with a diamond in the middle, under the title."""
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(0.9)
    c.line(CENTRE - 90, y, CENTRE - 9, y)
    c.line(CENTRE + 9, y, CENTRE + 90, y)
    c.setFillColorRGB(*GOLD)
    path = c.beginPath()
    path.moveTo(CENTRE, y + 4)
    path.lineTo(CENTRE + 4, y)
    path.lineTo(CENTRE, y - 4)
    path.lineTo(CENTRE - 4, y)
    path.close()
    c.drawPath(path, stroke=0, fill=1)


def _verification(c: Canvas, document: CertificateDocument, regular: str, bold: str) -> None:
    _draw_qr(c, document.verify_url, x=QR_X, y=QR_Y, size=QR_SIZE)
    labels = document.labels
    rows = (
        (labels.get("serial", "Serial number"), document.serial),
        (labels.get("code", "Verification code"), document.code),
        (labels.get("verify", "Verify this certificate at"), document.verify_url),
    )
    y = QR_Y + QR_SIZE - 14
    for label, value in rows:
        c.setFillColorRGB(*MUTED)
        _draw_line(
            c, label, font=regular, size=7, width=QR_LABEL_WIDTH, x=QR_LABEL_X, y=y, align="left"
        )
        c.setFillColorRGB(*TEXT)
        _draw_line(
            c,
            value,
            font=bold,
            size=8.5,
            width=QR_LABEL_WIDTH,
            x=QR_LABEL_X,
            y=y - 10,
            align="left",
        )
        y -= 24


def _signatories(c: Canvas, document: CertificateDocument, regular: str, bold: str) -> None:
    signatories = document.signatories
    if not signatories:
        return
    area = CONTENT_RIGHT - SIGNATORIES_LEFT
    slot = area / len(signatories)
    line_width = min(slot - 24, 170.0)
    for i, signatory in enumerate(signatories):
        centre = SIGNATORIES_LEFT + slot * (i + 0.5)
        top, bottom = SIGNATURE_IMAGE_BOX
        _draw_image(
            c,
            signatory.signature_path,
            x=centre - line_width / 2,
            y=bottom,
            width=line_width,
            height=top - bottom,
        )
        c.setStrokeColorRGB(*MUTED)
        c.setLineWidth(0.6)
        c.line(centre - line_width / 2, SIGNATURE_LINE_Y, centre + line_width / 2, SIGNATURE_LINE_Y)
        c.setFillColorRGB(*TEXT)
        name = fit_text(
            normalize_text(signatory.name),
            font=bold,
            width=slot - 12,
            height=SIGNATORY_NAME_BOX[0] - SIGNATORY_NAME_BOX[1],
            max_size=10.5,
            max_lines=1,
        )
        _draw_centred_block(c, name, font=bold, box=SIGNATORY_NAME_BOX, x=centre)
        c.setFillColorRGB(*MUTED)
        role = fit_text(
            normalize_text(signatory.role),
            font=regular,
            width=slot - 12,
            height=SIGNATORY_ROLE_BOX[0] - SIGNATORY_ROLE_BOX[1],
            max_size=9,
            max_lines=2,
            leading_ratio=1.2,
        )
        _draw_centred_block(c, role, font=regular, box=SIGNATORY_ROLE_BOX, x=centre)


def render_certificate(document: CertificateDocument) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    regular, bold, title_font = register_certificate_fonts()
    title = normalize_text(document.title)
    holder = normalize_text(document.holder_name)
    issuer = normalize_text(document.issuer)
    buffer = BytesIO()
    c = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        pdfVersion=(1, 4),  # /Lang and soft masks (transparent logos)
        invariant=0,
        lang=document.language or None,
        initialFontName=regular,
    )
    for name in (regular, bold):
        pdfmetrics.getFont(name).seed(c._doc, SEED)
    c.setTitle(f"{title} – {holder}")
    c.setAuthor(issuer)
    c.setSubject(f"{title} {document.serial}")
    c.setKeywords([document.serial, document.code])
    c.setCreator("Formativ")

    _draw_image(c, document.background, x=0, y=0, width=PAGE_WIDTH, height=PAGE_HEIGHT)
    _frame(c)
    top, bottom = LOGO_BOX
    _draw_image(
        c,
        document.logo_left,
        x=CONTENT_LEFT,
        y=bottom,
        width=LOGO_WIDTH,
        height=top - bottom,
        anchor="w",
    )
    _draw_image(
        c,
        document.logo_right,
        x=CONTENT_RIGHT - LOGO_WIDTH,
        y=bottom,
        width=LOGO_WIDTH,
        height=top - bottom,
        anchor="e",
    )

    c.setFillColorRGB(*INK)
    box = TITLE_BOX
    fitted = fit_text(
        title,
        font=title_font,
        width=TITLE_WIDTH,
        height=box[0] - box[1],
        max_size=34,
        max_lines=2,
        leading_ratio=1.1,
    )
    _draw_centred_block(c, fitted, font=title_font, box=box)
    _ornament(c, ORNAMENT_Y)

    c.setFillColorRGB(*MUTED)
    certify = normalize_text(document.labels.get("certify", ""))
    if certify:
        _draw_line(
            c,
            certify,
            font=regular,
            size=13,
            width=TEXT_WIDTH,
            x=CENTRE,
            y=(CERTIFY_BOX[0] + CERTIFY_BOX[1]) / 2 - 13 * CAP / 2,
        )

    c.setFillColorRGB(*INK)
    box = NAME_BOX
    fitted = fit_text(
        holder,
        font=bold,
        width=NAME_WIDTH,
        height=box[0] - box[1],
        max_size=30,
        max_lines=2,
        leading_ratio=1.12,
    )
    _draw_centred_block(c, fitted, font=bold, box=box)

    c.setFillColorRGB(*TEXT)
    box = TEXT_BOX
    fitted = fit_text(
        normalize_text(document.text),
        font=regular,
        width=TEXT_WIDTH,
        height=box[0] - box[1],
        max_size=14,
        leading_ratio=1.38,
    )
    _draw_centred_block(c, fitted, font=regular, box=box)

    box = ISSUER_BOX
    fitted = fit_text(
        issuer, font=bold, width=TEXT_WIDTH, height=box[0] - box[1], max_size=12.5, max_lines=1
    )
    _draw_centred_block(c, fitted, font=bold, box=box)
    c.setFillColorRGB(*MUTED)
    box = ISSUED_BOX
    fitted = fit_text(
        normalize_text(document.issued_line),
        font=regular,
        width=TEXT_WIDTH,
        height=box[0] - box[1],
        max_size=11,
        max_lines=1,
    )
    _draw_centred_block(c, fitted, font=regular, box=box)

    _signatories(c, document, regular, bold)
    _verification(c, document, regular, bold)

    c.showPage()
    c.save()
    return buffer.getvalue()
