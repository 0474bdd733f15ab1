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
