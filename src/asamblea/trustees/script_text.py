"""The texts of the trustee page's script (static/js/trustee.js), translated
on the server and handed to the page as JSON; ``%(name)s`` is filled in by
the script."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCRIPT_TEXT = {
    "network": _("The server cannot be reached. Check your connection and try again."),
    "api": _("The server refused: %(message)s"),
    "refused": _("The server refused (HTTP %(status)s)."),
    "unexpected": _("Something went wrong in this page: %(detail)s"),
    "download_again": _("Download the key file again (%(name)s)"),
    "passphrase_short": _("Choose a passphrase of at least 8 characters."),
    "passphrase_differs": _("The two passphrases differ."),
    "passphrase_empty": _("Enter the passphrase of your key file."),
    "sealing": _("Creating your key and encrypting the key file…"),
    "downloaded": _(
        "Your key file was downloaded to this device. Keep it somewhere safe, then confirm."
    ),
    "confirm_first": _("Tick the box to confirm that you kept the key file."),
    "registered": _("Your communication key is registered and your key file confirmed."),
    "ready": _("You are ready. Come back when the ceremony starts."),
    "choose_file": _("Choose your key file."),
    "not_json": _("This file is not a key file."),
    "opening": _("Opening the key file…"),
    "wrong_passphrase": _("The passphrase is wrong, or the key file was altered."),
    "bad_key_file": _("This key file cannot be used: %(detail)s"),
    "key_open": _("The key file of trustee %(index)s is open in this page."),
    "other_board": _("This key file belongs to another board."),
    "other_seat": _("This key file is trustee %(index)s's, not your seat's."),
    "other_key": _(
        "The key registered for your seat is not this key file's. Say so to the board's managers."
    ),
    "relay_check": _(
        "The server's data fails a check (%(detail)s). Nothing was sent: say so in public."
    ),
    "parameters_changed": _("The parameters changed since this key file was written."),
    "key_does_not_fit": _("The key file does not fit this ceremony: %(detail)s"),
    "dropped": _("The server does not publish your message as sent. Say so in public."),
    "bad_reveal": _("A published reveal fails its check (%(detail)s). Nothing was sent."),
    "not_started": _("The ceremony has not started yet: nothing to do."),
    "failed": _("The ceremony failed (%(failure)s): the board must be renewed."),
    "retired": _("This board is retired: nothing to do."),
    "working": _("Working…"),
    "wait": _("Your message for this round arrived. Come back for the next round."),
    "announced": _("Your announcement was sent."),
    "not_dealing": _("You did not announce, so you do not deal. Respond in the next round."),
    "revealed": _("Your reveal and the encrypted shares were sent."),
    "responded": _("Your %(count)s response(s) were sent. A new key file was downloaded."),
    "complained": _(
        "Your responses were sent, with complaints against trustee(s) %(dealers)s: their"
        " shares to you are wrong."
    ),
    "share_kept": _(
        "Your key share is kept in the new key file just downloaded. Keep it: you need it"
        " to decrypt results."
    ),
    "share_already": _("This key file already holds your key share."),
    "keep_share_button": _("Save my key share in my key file"),
    "no_share": _("No usable key share: %(detail)s"),
    "unknown_state": _("The board is in a state this page does not know."),
    "round_now": _("The board is in its %(round)s round."),
    "state_now": _("The board is %(state)s."),
    "decrypt_poll": _("Decrypt the results of poll %(poll)s: %(question)s"),
    "answer_by": _("The trustees are asked to answer by %(deadline)s."),
    "cannot_decrypt": _("This tally cannot be decrypted: %(detail)s"),
    "decrypted": _("Your partial decryption of poll %(poll)s was sent."),
}


def script_text() -> dict[str, str]:
    """The texts in the current language."""
    return {key: str(value) for key, value in SCRIPT_TEXT.items()}
