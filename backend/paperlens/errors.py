"""The one error type. Every user-facing failure is a PaperLensError with an HTTP status.

The pure core raises these too (they import nothing from Flask); the API turns them into
`{"ok": false, "error": message, "status": status}` and the CLI into a one-line message.
"""


class PaperLensError(Exception):
    """A mistake in the input or a state the user can fix; `status` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFound(PaperLensError):
    status = 404


class ParseError(PaperLensError):
    """The page is not one we can read papers from (422: well-formed request, unusable content)."""

    status = 422
