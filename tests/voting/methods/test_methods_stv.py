"""STV (Scottish rules and Meek): hand-computed worked examples and properties."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from asamblea.voting.methods import RankedProfile
from asamblea.voting.methods.stv_meek import meek_stv
from asamblea.voting.methods.stv_scottish import scottish_stv


def small_example() -> RankedProfile:
    # 6 x A>B>C, 4 x B, 4 x C: 14 valid votes.
    return RankedProfile.from_counts("ABC", [(list("ABC"), 6), (["B"], 4), (["C"], 4)])


def test_scottish_quota_transfer_value_truncation_and_loss():
    """Hand computed under SSI 2007/42 schedule 1:
    rule 46: quota = floor(14 / (2 + 1)) + 1 = 5.
    Stage 1: A 6, B 4, C 4; A reaches the quota (rule 47), surplus 1.
    Stage 2, rule 48(3): transfer value = 1 x 1 / 6 = 0.166666..., to five
    places with the remainder ignored: 0.16666. The 6 papers give B
    6 x 0.16666 = 0.99996; loss 1 - 0.99996 = 0.00004. B 4.99996 is short of
    the quota, and two continuing candidates for one vacancy is not rule 52(1).
    Stage 3, rule 50: C (4) is excluded; its 4 papers have no further
    preference. Now one continuing candidate for one vacancy: B is deemed
    elected at the end of stage 3 (rule 52(1)), with no further transfer and
    no further stage (rule 52(2))."""
    result = scottish_stv(small_example(), seats=2)
    assert result.quota == Decimal(5)
    assert result.winners == ("A", "B")
    first, surplus, exclusion = result.stages
    assert first.elected == ("A",)
    assert surplus.action == "surplus"
    assert surplus.candidate == "A"
    assert [str(tv.transfer_value) for tv in surplus.transfer_values] == ["0.16666"]
    assert surplus.transfers == {"B": Decimal("0.99996")}
    assert surplus.loss == Decimal("0.00004")
    assert surplus.tallies == {"A": 5, "B": Decimal("4.99996"), "C": 4}
    assert surplus.elected == ()
    assert (exclusion.action, exclusion.candidate) == ("exclusion", "C")
    assert exclusion.exhausted_now == 4
    assert exclusion.tallies == {"A": 5, "B": Decimal("4.99996"), "C": 0}
    assert exclusion.elected == ("B",)
    assert exclusion.deemed_elected == ("B",)
    assert first.deemed_elected == surplus.deemed_elected == ()


def test_scottish_leader_of_last_vacancy_is_not_elected_early():
    """Rule 52 of the Order has only two clauses; it has no clause electing a
    candidate because its votes are at least those of all the others together
    (as the Irish rules' section 124(2) does), so the count goes on.
    20 A, 11 B, 9 C, no further preferences; 1 seat, quota floor(40/2) + 1 = 21.
    After stage 1, A's 20 equal B + C together, but A is short of the quota
    and three candidates continue for one vacancy: stage 2 excludes C (its 9
    papers exhaust), stage 3 excludes B (11 exhaust), and only then is A, the
    one continuing candidate for one vacancy, deemed elected under rule 52(1),
    at the end of stage 3."""
    profile = RankedProfile.from_counts("ABC", [(["A"], 20), (["B"], 11), (["C"], 9)])
    result = scottish_stv(profile, seats=1)
    actions = [(s.action, s.candidate) for s in result.stages]
    assert actions == [
        ("first_preferences", None),
        ("exclusion", "C"),
        ("exclusion", "B"),
    ]
    assert [s.number for s in result.stages] == [1, 2, 3]
    assert result.stages[2].exhausted == Decimal(20)
    assert result.stages[-1].elected == result.stages[-1].deemed_elected == ("A",)
    assert result.winners == ("A",)
    assert result.excluded == ("C", "B")


def test_scottish_exclusion_and_surplus_from_transfers():
    """Hand computed: 30 A>B>C, 10 B>A>C, 25 C>D>E, 20 D>C>E, 15 E; 2 seats,
    100 valid votes, quota floor(100/3) + 1 = 34. Stage 1: nobody reaches 34;
    B (10) is excluded; its 10 papers go to A at value 1: A 40, elected.
    Stage 3: A's surplus 6 over all its 40 papers, transfer value 6/40 = 0.15:
    the 30 A>B>C papers skip excluded B and give C 4.5, the 10 B>A>C give C 1.5:
    C 31. Stage 4: E (15) excluded, its papers exhaust (15). One vacancy, two
    continuing candidates: no rule 52 yet. Stage 5: D (20) excluded, its 20
    D>C>E papers give C 51 >= 34: C elected by the quota, and every seat is
    filled, so C's surplus is not transferred (rule 48(1))."""
    profile = RankedProfile.from_counts(
        "ABCDE",
        [(list("ABC"), 30), (list("BAC"), 10), (list("CDE"), 25), (list("DCE"), 20), (["E"], 15)],
    )
    result = scottish_stv(profile, seats=2)
    assert result.winners == ("A", "C")
    actions = [(s.action, s.candidate) for s in result.stages]
    assert actions == [
        ("first_preferences", None),
        ("exclusion", "B"),
        ("surplus", "A"),
        ("exclusion", "E"),
        ("exclusion", "D"),
    ]
    assert result.stages[2].transfers == {"C": Decimal("6.00000")}
    assert result.stages[2].transfer_values[0].transfer_value == Decimal("0.15")
    assert result.stages[3].exhausted == Decimal(15)
    assert result.stages[4].transfers == {"C": Decimal(20)}
    assert result.stages[4].tallies["C"] == Decimal(51)
    assert result.stages[4].elected == ("C",)
    assert result.excluded == ("B", "E", "D")


def test_meek_small_example_by_hand():
    """Hand computed with nine-place fixed point. Quota = 14/3 truncated
    (4.666666666) + 0.000000001 = 4.666666667. A 6 is elected. Keep value of A:
    1 x 4.666666667 / 6 = 0.7777777778333.. rounded up: 0.777777778. Each of the
    6 papers gives A 0.777777778 and passes 0.222222222 to B: A 4.666666668,
    B 4 + 1.333333332 = 5.333333332 >= quota: B elected."""
    result = meek_stv(small_example(), seats=2)
    assert result.winners == ("A", "B")
    last = result.stages[-1]
    assert last.keep_values["A"] == Decimal("0.777777778")
    assert last.tallies["A"] == Decimal("4.666666668")
    assert last.tallies["B"] == Decimal("5.333333332")
    assert last.quota == Decimal("4.666666667")


def test_scottish_tie_broken_by_lot_shows_seed_and_draw():
    # A and B tie at every stage; one of them must be excluded by lot.
    profile = RankedProfile.from_counts("ABC", [(["A"], 2), (["B"], 2), (["C"], 5)])
    one = scottish_stv(profile, seats=2, seed="poll-42")
    again = scottish_stv(profile, seats=2, seed="poll-42")
    assert one == again
    assert one.seed == "poll-42"
    assert one.lots
    assert one.lots[0].purpose == "exclude"
    exclusion = next(s for s in one.stages if s.action == "exclusion")
    assert exclusion.tie_break == "lot"
    assert exclusion.candidate == one.lots[0].order[0]
    assert one.winners == ("C", one.lots[0].order[1])


def test_scottish_tie_broken_by_earlier_stage():
    """Hand computed: 7 C, 5 A, 4 B, 2 D>B, 1 E>A; 2 seats, quota floor(19/3)+1 = 7.
    Stage 1: C 7 elected (no surplus). A 5, B 4, D 2, E 1. Exclude E: A 6.
    Exclude D: B 6. Now A and B tie at 6; at the most recent earlier stage
    where they differed (stage 3: A 6, B 4) B had fewer: B excluded, A elected."""
    profile = RankedProfile.from_counts(
        "ABCDE", [(["C"], 7), (["A"], 5), (["B"], 4), (["D", "B"], 2), (["E", "A"], 1)]
    )
    result = scottish_stv(profile, seats=2)
    assert result.winners == ("C", "A")
    assert not result.lots


rankings = st.lists(
    st.permutations(range(6)).flatmap(lambda p: st.integers(1, 6).map(lambda k: p[:k])),
    min_size=1,
    max_size=40,
)


def build(n: int, raw: list[list[int]]) -> RankedProfile:
    names = [chr(65 + i) for i in range(n)]
    ballots = [[names[c] for c in r if c < n] for r in raw]
    return RankedProfile.from_rankings(names, [tuple(b) for b in ballots if b] or [("A",)])


@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 6), raw=rankings, seats=st.integers(1, 4))
def test_scottish_properties(n, raw, seats):
    profile = build(n, raw)
    seats = min(seats, n)
    result = scottish_stv(profile, seats=seats, seed="s")
    assert len(result.winners) == seats
    assert len(set(result.winners)) == seats
    valid = Decimal(result.valid_votes)
    for stage in result.stages:
        total = sum(stage.tallies.values()) + stage.exhausted + stage.loss
        assert total == valid  # exact: every value is a multiple of 0.00001
        at_quota = [c for c, v in stage.tallies.items() if v >= result.quota]
        assert len(at_quota) <= seats


@settings(max_examples=100, deadline=None)
@given(n=st.integers(2, 6), raw=rankings, seats=st.integers(1, 4))
def test_meek_properties(n, raw, seats):
    profile = build(n, raw)
    seats = min(seats, n)
    result = meek_stv(profile, seats=seats, seed="s")
    assert len(result.winners) == seats
    assert len(set(result.winners)) == seats
    for stage in result.stages:
        total = sum(stage.tallies.values()) + stage.excess
        # Conserved exactly: each product is rounded and the remainder passed on.
        assert total == result.valid_votes


def food_election() -> RankedProfile:
    """Wikipedia, "Single transferable vote", section "Example" (the food election):
    20 guests, 3 to choose. 4 Oranges>Pears, 2 Pears>Oranges, 8 Chocolate>Strawberries,
    4 Chocolate>Sweets, 1 Strawberries, 1 Sweets. Published count: Droop quota 6;
    Chocolate elected in round 1; its surplus goes to Strawberries and Sweets in
    proportion; Pears eliminated, Oranges reach the quota exactly; Sweets
    eliminated; winners Chocolate, Oranges, Strawberries."""
    return RankedProfile.from_counts(
        ["Oranges", "Pears", "Chocolate", "Strawberries", "Sweets"],
        [
            (["Oranges", "Pears"], 4),
            (["Pears", "Oranges"], 2),
            (["Chocolate", "Strawberries"], 8),
            (["Chocolate", "Sweets"], 4),
            (["Strawberries"], 1),
            (["Sweets"], 1),
        ],
    )


def test_scottish_food_election_matches_published_count():
    result = scottish_stv(food_election(), seats=3)
    assert result.quota == 6
    assert result.winners == ("Chocolate", "Oranges", "Strawberries")
    surplus = result.stages[1]
    assert (surplus.action, surplus.candidate) == ("surplus", "Chocolate")
    # Surplus 6 of 12 at transfer value 0.5: 8 x 0.5 and 4 x 0.5.
    assert surplus.transfers == {"Strawberries": 4, "Sweets": 2}
    assert surplus.tallies["Strawberries"] == 5
    assert surplus.tallies["Sweets"] == 3
    exclusion = result.stages[2]
    assert (exclusion.action, exclusion.candidate) == ("exclusion", "Pears")
    assert exclusion.tallies["Oranges"] == 6
    assert exclusion.elected == ("Oranges",)


def test_meek_food_election_elects_the_same():
    result = meek_stv(food_election(), seats=3)
    assert set(result.winners) == {"Chocolate", "Oranges", "Strawberries"}
    assert result.excluded[0] == "Pears"


def test_meek_tie_broken_by_earlier_stage():
    """Hand computed (the profile of the Scottish look-back test): C's surplus
    only exhausts, so the quota falls to (19 - 1) / 3 = 6 (+ 0.000000001) with
    C kept at about 6. E is excluded (A 6), then D (B 6): A and B tie at 6,
    below the quota. At the most recent earlier stage where they differed
    (A 6, B 4) B had fewer: B is excluded and A takes the last seat."""
    profile = RankedProfile.from_counts(
        "ABCDE", [(["C"], 7), (["A"], 5), (["B"], 4), (["D", "B"], 2), (["E", "A"], 1)]
    )
    result = meek_stv(profile, seats=2)
    assert set(result.winners) == {"C", "A"}
    assert result.excluded == ("E", "D", "B")
    assert result.stages[-2].tie_break == "earlier_stage"
    assert not result.lots
