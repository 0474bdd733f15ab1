"""Domain errors of the incident register, with the messages members see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Conflict, Forbidden, InvalidInput


class NotDocumenter(Forbidden):
    code = "not_documenter"
    default_message = _("Only the documenters this committee's secretaries named may do this here.")


class RegisterLocked(Forbidden):
    code = "register_locked"
    default_message = _(
        "Unlock the committee's register with your register passphrase to read or "
        "write names, contacts and private descriptions."
    )


class WrongPassphrase(InvalidInput):
    code = "wrong_passphrase"
    default_message = _("That register passphrase is not right.")


class ConsentRequired(InvalidInput):
    code = "consent_required"
    default_message = _("Record the person's consent to be recorded before their names or contact.")


class FileTooLarge(InvalidInput):
    code = "file_too_large"
    default_message = _("This file is larger than the register accepts.")


class FileTypeNotAllowed(InvalidInput):
    code = "file_type_not_allowed"
    default_message = _(
        "This type of file is not accepted as evidence. Photos: JPEG, PNG, WebP; "
        "video: MP4, MOV, 3GP, WebM, MKV; audio: MP3, M4A, OGG, WAV, AMR; documents: PDF."
    )


class FileContentMismatch(InvalidInput):
    code = "file_content_mismatch"
    default_message = _("The content of this file does not match its name or the kind chosen.")


class EvidenceSealed(Forbidden):
    code = "evidence_sealed"
    default_message = _(
        "Evidence originals are sealed: only the committee's documenters, with the "
        "register unlocked, may open them."
    )


class ExportBeyondConsent(Forbidden):
    code = "export_beyond_consent"
    default_message = _(
        "This export would include what the persons concerned did not consent to share "
        "outside the committee."
    )


class TimestampFailed(Conflict):
    code = "timestamp_failed"
    default_message = _(
        "The time-stamping authority gave no valid time-stamp. The evidence is kept "
        "without one; try again later."
    )
