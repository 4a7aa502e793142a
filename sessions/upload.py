"""An upload handler that refuses a scanned sheet larger than the limit while it arrives, so that
an oversized upload is never written to disk: Django's own handlers would first store the whole
file (in a temporary file above 2.5 MB) and only then let the service see its size."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# The form's other fields (the CSRF token) and the multipart framing: a body longer than the
# limit by more than this cannot carry a file within the limit.
FRAMING_BYTES = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Put first in `request.upload_handlers`, before the request's body is read. Stops the
    upload (the rest of the body is read and thrown away, so that the browser still gets the
    answer) as soon as the files' bytes pass `max_bytes`, or at once when the declared body
    length says they will. `too_large` tells the view what happened; the files' bytes go on
    to the next handlers, which keep the file when it is within the limit."""

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.ATTENDANCE_EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
        self.too_large = False
        self.received = 0  # file bytes seen, over every file of the body

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.max_bytes + FRAMING_BYTES:
            self.too_large = True  # refused when the first file starts: no byte of it is kept
        return None  # the multipart parser goes on (and reads the CSRF token before the file)

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ):
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if self.too_large or (content_length is not None and content_length > self.max_bytes):
            self._stop()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) holds the file

    def _stop(self):
        self.too_large = True
        raise StopUpload(connection_reset=False)


# --- file types told by their content ----------------------------------------------------------
#
# Every upload is checked by its first bytes, never by the name or the content type a browser
# sends: the scanned sheets (sessions.services.evidence_upload), the spreadsheets of imports
# (imports.reader.check_upload_type) and the documents of the CMS (DocumentForm below). Wagtail's
# image field already compares an image's real format with its extension.

_ZIP_MAGIC = b"PK\x03\x04"
_BINARY_MAGICS = (
    b"MZ",  # Windows executables
    b"\x7fELF",
    b"%PDF-",
    _ZIP_MAGIC,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE (old Office)
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
)


def _zip_names(head_and_file) -> set[str]:
    import zipfile

    try:
        with zipfile.ZipFile(head_and_file) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def _zip_member(upload, name: str, limit: int = 200) -> bytes:
    import zipfile

    try:
        with zipfile.ZipFile(upload) as archive, archive.open(name) as member:
            return member.read(limit)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return b""


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head or head.startswith(_BINARY_MAGICS):
        return False
    for encoding in ("utf-8", "cp1250"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the end of the sample is still text.
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return True
    return False


def content_matches_extension(upload, extension: str) -> bool:
    """Whether the file's bytes are what its extension (".pdf", ".docx"…) says it is.
    Leaves the file at its start."""
    extension = extension.lower()
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    try:
        if extension == ".pdf":
            return head.startswith(b"%PDF-")
        if extension in (".docx", ".xlsx", ".pptx"):
            folder = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}[extension]
            names = _zip_names(upload) if head.startswith(_ZIP_MAGIC) else set()
            return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
        if extension in (".odt", ".ods", ".odp"):
            kind = {".odt": b"text", ".ods": b"spreadsheet", ".odp": b"presentation"}[extension]
            if not head.startswith(_ZIP_MAGIC):
                return False
            return _zip_member(upload, "mimetype") == b"application/vnd.oasis.opendocument." + kind
        if extension in (".csv", ".txt"):
            return _looks_like_text(head)
        return False  # an extension this check does not know is not accepted
    finally:
        upload.seek(0)


def wrong_type_message(extensions) -> str:
    from django.utils.translation import gettext as _

    names = ", ".join(sorted(e.lstrip(".").upper() for e in extensions))
    return _(
        "The file's content does not match its type: upload a real %(types)s file (renaming a "
        "file does not change what it is)."
    ) % {"types": names}


def _document_form_base():
    from django import forms
    from wagtail.documents.forms import BaseDocumentForm

    class DocumentForm(BaseDocumentForm):
        """The CMS's documents (WAGTAILDOCS_DOCUMENT_FORM_BASE): Wagtail checks the extension
        (WAGTAILDOCS_EXTENSIONS) and the size (WAGTAILDOCS_MAX_UPLOAD_SIZE); this checks that
        the content is what the extension says."""

        def clean_file(self):
            import os

            upload = self.cleaned_data.get("file")
            if upload is None or not hasattr(upload, "seek"):
                return upload
            if getattr(upload, "_committed", True) and not hasattr(upload, "content_type"):
                return upload  # the stored file of an edit that did not replace it
            extension = os.path.splitext(upload.name or "")[1].lower()
            allowed = {f".{e.lower()}" for e in getattr(settings, "WAGTAILDOCS_EXTENSIONS", [])}
            if extension not in allowed:
                return upload  # Wagtail's own check refuses the extension, with its message
            if not content_matches_extension(upload, extension):
                raise forms.ValidationError(
                    wrong_type_message({extension or ".?"}), code="file_type"
                )
            return upload

    return DocumentForm


def __getattr__(name):
    # Built on first use: wagtail.documents.forms needs the app registry ready.
    if name == "DocumentForm":
        form = _document_form_base()
        globals()["DocumentForm"] = form
        return form
    raise AttributeError(name)
