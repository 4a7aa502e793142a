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
