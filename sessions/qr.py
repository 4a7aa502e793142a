"""QR codes (segno): inline SVG for pages, PNG for e-mails. The check-in codes are short, so a
medium error correction level and a fixed mask keep rendering fast."""

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str, *, scale: int = 6, title: str = "") -> SafeString:
    """An inline <svg> of the QR code for `text` (dark on white, with its quiet zone), with a
    viewBox and no fixed size: give `.qr-code` a width in CSS."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m", mask=0).save(
        buffer,
        kind="svg",
        scale=scale,
        xmldecl=False,
        svgns=True,
        title=title or None,
        svgclass="qr-code",
        omitsize=True,  # sized by CSS (a viewBox is written instead)
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    return mark_safe(buffer.getvalue().decode())  # noqa: S308 - segno's own markup, text escaped


def qr_png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(text, error="m", mask=0).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()
