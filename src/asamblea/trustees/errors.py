"""Domain errors of the trustees app (see ``asamblea.core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import DomainError, Forbidden


class BoardExists(DomainError):
    """The node already has a board being formed, in ceremony, or active."""

    status = 409
    code = "board_exists"
    default_message = _(
        "This node already has a trustee board. Renew the active board, or finish"
        " the one being formed."
    )


class BoardState(DomainError):
    """The board is not in the state this step needs."""

    status = 409
    code = "board_state"
    default_message = _("The trustee board is not at this step.")


class BoardFull(DomainError):
    status = 409
    code = "board_full"
    default_message = _("Every seat of this board already has a trustee.")


class NotEligible(DomainError):
    status = 422
    code = "not_eligible"
    default_message = _(
        "A trustee must be an active member of a committee at or beneath this node."
    )


class AlreadyTrustee(DomainError):
    status = 422
    code = "already_trustee"
    default_message = _("This member is already a trustee of this board.")


class NotTrustee(Forbidden):
    code = "not_trustee"
    default_message = _("Only the board's trustees take this step, each for themself.")


class InvalidKey(DomainError):
    status = 422
    code = "invalid_key"


class TrusteesNotReady(DomainError):
    """The ceremony cannot start before every seat is filled, every
    communication key registered and every key file kept."""

    status = 409
    code = "trustees_not_ready"
    default_message = _(
        "The ceremony starts once every trustee is appointed, has registered their"
        " communication key and has confirmed they kept their key file."
    )


class WrongRound(DomainError):
    status = 409
    code = "wrong_round"


class NotADealer(DomainError):
    """A trustee who did not announce does not deal (reveal)."""

    status = 409
    code = "not_a_dealer"
    default_message = _(
        "You did not announce in time, so you do not deal in this ceremony. You still"
        " receive shares: send your responses in the next round."
    )


class AlreadySubmitted(DomainError):
    status = 409
    code = "already_submitted"
    default_message = _("You already sent your message for this round; it cannot be changed.")


class InvalidMessage(DomainError):
    status = 422
    code = "invalid_message"
