"""Domain errors of the voting app (see ``asamblea.core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import DomainError


class EmptyElectorate(DomainError):
    """A poll cannot open because nobody could vote in it: no active member of
    any committee at or beneath its node. Not a conflict of states (the poll
    is still a draft and may open later, once the node has members)."""

    status = 409
    code = "empty_electorate"
    default_message = _("Nobody could vote: there are no members at or beneath this node.")


class UnequalWeights(DomainError):
    """A secret poll cannot open while members of one committee have different
    vote weights: the weight on a ballot row would single its voter out."""

    status = 409
    code = "unequal_weights"

    def __init__(self, committees: list[str]) -> None:
        super().__init__(
            _(
                "A secret poll needs every member of a committee to have the same vote"
                " weight, and in %(committees)s they differ. Make the weights equal, or"
                " hold a named poll."
            )
            % {"committees": ", ".join(committees)},
            field="secret",
        )
        self.committees = committees


class NotEncryptable(DomainError):
    """An encrypted poll whose method the engine cannot encrypt."""

    status = 422
    code = "not_encryptable"


class NoElectionKey(DomainError):
    """An encrypted poll cannot open: no trustee board's key serves its node."""

    status = 409
    code = "no_election_key"
    default_message = _(
        "No trustee board's key serves this poll's node, so its ballots cannot be"
        " encrypted. Set up a trustee board first, or hold the poll unencrypted."
    )


class InvalidVotingKey(DomainError):
    status = 422
    code = "invalid_voting_key"
    default_message = _("This is not a valid public voting key.")


class InvalidEncryptedBallot(DomainError):
    """The engine refused the ballot: it does not decode, a proof or the
    signature fails, or it was made for another election. Nothing was written."""

    status = 422
    code = "invalid_ballot"


class WrongCredential(DomainError):
    """The ballot is signed with a credential that is not the caller's."""

    status = 403
    code = "wrong_credential"
    default_message = _(
        "This ballot is not made with your credential for this poll. Nothing was saved."
    )


class BallotReplayed(DomainError):
    """A ciphertext of the ballot is already on the board or was audited."""

    status = 409
    code = "ballot_replayed"
    default_message = _(
        "This ballot, or part of it, was already cast or audited; a ballot can be used"
        " only once. Make a new ballot. Nothing was saved."
    )


class EncryptedPoll(DomainError):
    """A plain ballot sent to an encrypted poll."""

    status = 409
    code = "encrypted_poll"
    default_message = _(
        "This poll's ballots are encrypted: vote from the poll's page or with an encrypted ballot."
    )


class BallotTooLarge(DomainError):
    status = 413
    code = "too_large"
    default_message = _("This ballot is larger than any valid ballot of this poll.")


class NotDecrypting(DomainError):
    """A trustee answered a tally that is not waiting for the trustees."""

    status = 409
    code = "not_decrypting"
    default_message = _(
        "This poll's tally is not waiting for the trustees: it is still being summed,"
        " or it is already decrypted. Nothing was saved."
    )


class AlreadyAnswered(DomainError):
    status = 409
    code = "already_answered"
    default_message = _("Your answer to this tally was already accepted; it cannot be changed.")


class InvalidAnswer(DomainError):
    """A trustee's answer that does not decode or whose proofs fail."""

    status = 422
    code = "invalid_answer"
