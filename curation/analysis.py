"""Item analysis: each question's figures from the candidates' answers, and the reasons the
figures give for editing it.

`analyse()` reads every scored answer once and stores one QuestionStatistics row per question
(manage.py analyse_questions runs it; it is idempotent). The figures follow Moodle's quiz
statistics, so that an editor who knows Moodle reads them the same way:

- Only each candidate's *first* attempt at a question counts (Moodle analyses first attempts by
  default: later ones are no longer independent of the first).
- **Facility** is the mean score of those attempts (every score here is out of 1).
- **Discrimination index** (DI) is the correlation between the score on the question and the
  score on the rest of the same quiz, as a percentage:
  DI = 100 · C(x, X) / √(V(x) · V(X)),
  with x the question's score in an attempt, X the score on the other questions of the same
  attempt, C and V the sample covariance and variance (divided by n − 1).
- **Discriminative efficiency** (DE) is that covariance over the largest covariance the same
  two sets of scores could have, which Moodle gets by pairing them sorted:
  DE = 100 · C(x, X) / C_max(x, X), C_max = Σ (x₍ᵢ₎ − x̄)(X₍ᵢ₎ − X̄) / (n − 1).
  Moodle calls a question whose DE is under 15 % "dubious".

Sources: Moodle's developer documentation, "Quiz statistics calculations"
(https://docs.moodle.org/dev/Quiz_statistics_calculations: first attempts, facility index,
discrimination index, discriminative efficiency), and Moodle's code that implements it:
question/classes/statistics/questions/calculator.php (secondary_question_walker) and
mod/quiz/report/statistics/statistics_table.php (is_dubious_question: DE < 15).

One difference: a Moodle quiz gives every attempt the same questions, so X is a sum of marks.
Prep's sessions are drawn per candidate and differ in length (1 to 50 questions), so X is the
*mean* score on the session's other scored answers. Within one quiz of fixed length the two
differ by a constant factor, which neither the correlation nor the ratio of covariances sees.
An attempt whose session has no other scored answer has no X: it counts towards the facility
but not towards DI and DE.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from curation.models import DealtWith, QuestionStatistics, Reason
from practice.models import Rating, ReviewCard, SessionItem
from questions.models import RUNNABLE_KINDS, Choice, Kind, Question

# The Needs editing rules (issue 14). Every rule waits for this many first attempts: a
# correlation or a share over a handful of answers says little about the question.
MIN_ATTEMPTS = 30
TOO_EASY_ABOVE = 0.95
TOO_HARD_BELOW = 0.20
DUBIOUS_BELOW = 15.0  # discriminative efficiency, in %, as Moodle's "dubious"
# A variance or covariance this small is zero that floating point has not rounded to zero.
EPSILON = 1e-12
WRITE_BATCH = 500
READ_BATCH = 5000
GRADES = frozenset(Rating.values)  # read once: Rating.values builds a new list at every call
CHOICE_TEXT = 80  # characters of a choice's text kept for the chart


class Attempt(NamedTuple):
    """A candidate's first scored answer to a question. (A named tuple: the analysis makes one
    per first attempt, 190,000 at the benchmark's large scale, and a frozen dataclass costs
    several times more to build.)"""

    score: float
    rest: float | None  # mean score on the other scored answers of the same session
    rating: int | None
    seconds: float | None
    answered_at: datetime
    passed: bool | None  # every test passed at Submit; None when nothing was submitted
    picked: frozenset[int] = frozenset()


@dataclass
class Figures:
    attempts: int = 0
    facility: float | None = None
    discrimination_index: float | None = None
    discriminative_efficiency: float | None = None
    paired_attempts: int = 0  # attempts with a rest of the session (DI and DE count these)
    median_seconds: float | None = None
    good_rate: float | None = None
    pass_rate: float | None = None
    grade_counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    picks: dict[int, int] = field(default_factory=dict)


# --- the statistics ------------------------------------------------------------------------------


def discrimination(pairs: Sequence[tuple[float, float]]) -> tuple[float | None, float | None]:
    """Moodle's discrimination index and discriminative efficiency, both in %, of (score on the
    question, score on the rest) pairs. Either is None where it is undefined: fewer than two
    pairs, a set of scores that does not vary, or no covariance to reach."""
    n = len(pairs)
    if n < 2:
        return None, None
    scores = [x for x, _ in pairs]
    rests = [y for _, y in pairs]
    mean_x, mean_y = sum(scores) / n, sum(rests) / n
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in pairs) / (n - 1)
    variance_x = sum((x - mean_x) ** 2 for x in scores) / (n - 1)
    variance_y = sum((y - mean_y) ** 2 for y in rests) / (n - 1)
    sorted_pairs = zip(sorted(scores), sorted(rests), strict=True)
    covariance_max = sum((x - mean_x) * (y - mean_y) for x, y in sorted_pairs) / (n - 1)
    index = efficiency = None
    if variance_x > EPSILON and variance_y > EPSILON:
        index = 100 * covariance / math.sqrt(variance_x * variance_y)
    if covariance_max > EPSILON:
        efficiency = 100 * covariance / covariance_max
    return index, efficiency


def figures_of(attempts: Sequence[Attempt], *, kind: str) -> Figures:
    """A question's figures from its first attempts."""
    figures = Figures(attempts=len(attempts))
    if not attempts:
        return figures
    figures.facility = sum(a.score for a in attempts) / len(attempts)
    pairs = [(a.score, a.rest) for a in attempts if a.rest is not None]
    figures.paired_attempts = len(pairs)
    figures.discrimination_index, figures.discriminative_efficiency = discrimination(pairs)
    seconds = [a.seconds for a in attempts if a.seconds is not None]
    figures.median_seconds = statistics.median(seconds) if seconds else None
    for attempt in attempts:
        if attempt.rating in GRADES:
            figures.grade_counts[attempt.rating - 1] += 1
    if kind == Kind.MULTIPLE_CHOICE:
        for attempt in attempts:
            for choice_id in attempt.picked:
                figures.picks[choice_id] = figures.picks.get(choice_id, 0) + 1
    else:
        graded = sum(figures.grade_counts)
        if graded:
            figures.good_rate = (figures.grade_counts[2] + figures.grade_counts[3]) / graded
    if kind in RUNNABLE_KINDS and any(a.passed is not None for a in attempts):
        # A first attempt that gave up without a Submit did not pass either.
        figures.pass_rate = sum(1 for a in attempts if a.passed) / len(attempts)
    return figures


# --- the reasons ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceRow:
    id: int
    label: str  # A, B, C... in the question's own order
    text: str
    is_correct: bool


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def reasons_of(
    figures: Figures, choices: Sequence[ChoiceRow] = (), *, kind: str = Kind.MULTIPLE_CHOICE
) -> dict[str, str]:
    """The reasons these figures give for editing the question: {Reason: what they say}."""
    found: dict[str, str] = {}
    attempts = figures.attempts
    if attempts >= MIN_ATTEMPTS and figures.facility is not None:
        if figures.facility > TOO_EASY_ABOVE:
            found[Reason.TOO_EASY] = (
                f"Facility {_percent(figures.facility)} over {attempts} first attempts: "
                "nearly everyone gets it right, so it tells nobody apart."
            )
        elif figures.facility < TOO_HARD_BELOW:
            found[Reason.TOO_HARD] = (
                f"Facility {_percent(figures.facility)} over {attempts} first attempts: "
                "check the key and the wording before calling it hard."
            )
    if figures.paired_attempts >= MIN_ATTEMPTS:
        index, efficiency = figures.discrimination_index, figures.discriminative_efficiency
        if index is not None and index < 0:
            found[Reason.NEGATIVE_DISCRIMINATION] = (
                f"Discrimination index {index:.0f}%: candidates who do better on the rest of "
                "their session do worse on this question. "
                + (
                    "A likely wrong key."
                    if kind == Kind.MULTIPLE_CHOICE
                    else "Check the model answer and the key points: one may be wrong."
                )
            )
        elif efficiency is not None and efficiency < DUBIOUS_BELOW:
            # Negative discrimination implies this too; the reason above says more.
            found[Reason.DUBIOUS] = (
                f"Discriminative efficiency {efficiency:.0f}% (under {DUBIOUS_BELOW:.0f}%, "
                "Moodle's \u201cdubious\u201d): it barely separates stronger candidates from "
                "weaker ones."
            )
    if attempts >= MIN_ATTEMPTS and choices:
        unpicked = [c for c in choices if not c.is_correct and not figures.picks.get(c.id)]
        if unpicked:
            names = ", ".join(f"{c.label} (\u201c{c.text}\u201d)" for c in unpicked)
            found[Reason.UNPICKED_DISTRACTOR] = (
                f"Nobody picked {names} in {attempts} first attempts: a distractor nobody "
                "picks only makes the question easier to guess."
            )
    return found


def reasons_to_store(
    *,
    attempts: Sequence[Attempt],
    kind: str,
    choices: Sequence[ChoiceRow],
    figures: Figures,
    changed_at: datetime,
    dealt_with: dict[str, datetime],
) -> list[dict]:
    """The reasons the queue shows. One marked dealt with stays out until the question changes
    after the mark; then it returns only if the first attempts made since the change show it."""
    found = reasons_of(figures, choices, kind=kind)
    marked = [code for code in found if code in dealt_with]
    if marked:
        since_change = None
        for code in marked:
            if changed_at <= dealt_with[code]:
                del found[code]
                continue
            if since_change is None:
                recent = [a for a in attempts if a.answered_at > changed_at]
                since_change = reasons_of(figures_of(recent, kind=kind), choices, kind=kind)
            if code in since_change:
                found[code] = since_change[code]
            else:
                del found[code]
    return [{"code": code, "text": text} for code, text in found.items()]


# --- reading the answers ---------------------------------------------------------------------


def _passed(results) -> bool | None:
    if not results:
        return None
    return all(isinstance(r, dict) and r.get("status") == "pass" for r in results)


def first_attempts() -> dict[int, list[Attempt]]:
    """Every candidate's first scored answer to each question, by question id, with the mean
    score of the other scored answers in its session.

    One pass over the scored answers, grouped in dictionaries: each session's total, and each
    candidate's earliest answer to each question. (Window functions would number and total
    them in the database, but they sort every answer twice, and past the sort memory PostgreSQL
    sorts on disk: at 200,000 answers that cost more than this whole pass.)"""
    rows = (
        SessionItem.objects.filter(answered_at__isnull=False, score__isnull=False)
        .order_by()
        .values_list(
            "pk",
            "session_id",
            "session__user_id",
            "question_id",
            "score",
            "rating",
            "time_spent",
            "answered_at",
            "test_results",
        )
        .iterator(chunk_size=READ_BATCH)
    )
    session_totals: dict[int, list] = {}
    earliest: dict[tuple[int, int], tuple] = {}
    for row in rows:
        pk, session_id, user_id, question_id, score, _rating, _spent, answered_at, _ = row
        total = session_totals.get(session_id)
        if total is None:
            session_totals[session_id] = [score, 1]
        else:
            total[0] += score
            total[1] += 1
        key = (user_id, question_id)
        best = earliest.get(key)
        if best is None or (answered_at, pk) < (best[7], best[0]):
            earliest[key] = row
    picked = _picked_choices()
    found: dict[int, list[Attempt]] = defaultdict(list)
    for (
        pk,
        session_id,
        _user,
        question_id,
        score,
        rating,
        spent,
        answered_at,
        results,
    ) in earliest.values():
        total, count = session_totals[session_id]
        found[question_id].append(
            Attempt(
                score=score,
                rest=(total - score) / (count - 1) if count > 1 else None,
                rating=rating,
                seconds=spent.total_seconds() if spent is not None else None,
                answered_at=answered_at,
                passed=_passed(results),
                picked=picked.get(pk, frozenset()),
            )
        )
    return found


def _picked_choices() -> dict[int, frozenset[int]]:
    """The choices picked in each multiple-choice answer, by answer id. (Only multiple-choice
    answers have picked choices: the table is read as it is, without a join.)"""
    through = SessionItem.selected_choices.through
    rows = through.objects.values_list("sessionitem_id", "choice_id")
    picked: dict[int, set[int]] = defaultdict(set)
    for item_id, choice_id in rows:
        picked[item_id].add(choice_id)
    return {item_id: frozenset(choices) for item_id, choices in picked.items()}


def _graded_answers() -> dict[int, tuple[int, int]]:
    """(graded answers, Again grades) per question, every answer counted."""
    rows = (
        SessionItem.objects.filter(rating__isnull=False)
        .order_by()
        .values("question_id")
        .annotate(graded=Count("pk"), again=Count("pk", filter=Q(rating=Rating.AGAIN)))
        .values_list("question_id", "graded", "again")
    )
    return {question_id: (graded, again) for question_id, graded, again in rows}


def _card_figures() -> dict[int, tuple[int, int, float | None]]:
    """(review cards, leeches, mean FSRS difficulty) per question."""
    rows = (
        ReviewCard.objects.order_by()
        .values("question_id")
        .annotate(
            cards=Count("pk"), leeches=Count("pk", filter=Q(is_leech=True)), mean=Avg("difficulty")
        )
        .values_list("question_id", "cards", "leeches", "mean")
    )
    return {question_id: (cards, leeches, mean) for question_id, cards, leeches, mean in rows}


def _choices() -> dict[int, list[ChoiceRow]]:
    rows = (
        Choice.objects.filter(question__kind=Kind.MULTIPLE_CHOICE)
        .order_by("question_id", "position", "pk")
        .values_list("question_id", "pk", "text", "is_correct")
    )
    found: dict[int, list[ChoiceRow]] = defaultdict(list)
    for question_id, pk, text, is_correct in rows:
        row = found[question_id]
        label = chr(ord("A") + len(row)) if len(row) < 26 else str(len(row) + 1)
        short = " ".join(text.split())
        if len(short) > CHOICE_TEXT:
            short = short[: CHOICE_TEXT - 1].rstrip() + "\u2026"
        row.append(ChoiceRow(id=pk, label=label, text=short, is_correct=is_correct))
    return found


def _dealt_with() -> dict[int, dict[str, datetime]]:
    found: dict[int, dict[str, datetime]] = defaultdict(dict)
    for question_id, reason, at in DealtWith.objects.values_list(
        "question_id", "reason", "dealt_with_at"
    ):
        found[question_id][reason] = at
    return found


# --- the whole analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    questions: int
    first_attempts: int
    needing_edits: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"Analysed {self.questions} questions from {self.first_attempts} first attempts in "
            f"{self.seconds:.2f} s; {self.needing_edits} need editing."
        )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def statistics_row(
    *,
    question_id: int,
    kind: str,
    changed_at: datetime,
    attempts: Sequence[Attempt],
    choices: Sequence[ChoiceRow],
    graded: tuple[int, int],
    cards: tuple[int, int, float | None],
    dealt_with: dict[str, datetime],
    now: datetime,
) -> QuestionStatistics:
    figures = figures_of(attempts, kind=kind)
    reasons = reasons_to_store(
        attempts=attempts,
        kind=kind,
        choices=choices,
        figures=figures,
        changed_at=changed_at,
        dealt_with=dealt_with,
    )
    graded_answers, again = graded
    card_count, leeches, difficulty = cards
    return QuestionStatistics(
        question_id=question_id,
        computed_at=now,
        attempts=figures.attempts,
        facility=figures.facility,
        discrimination_index=figures.discrimination_index,
        discriminative_efficiency=figures.discriminative_efficiency,
        graded_answers=graded_answers,
        again_share=_share(again, graded_answers),
        cards=card_count,
        leeches=leeches,
        fsrs_difficulty=difficulty,
        median_seconds=figures.median_seconds,
        good_rate=figures.good_rate,
        pass_rate=figures.pass_rate,
        grade_counts=figures.grade_counts if kind != Kind.MULTIPLE_CHOICE else [],
        choice_picks=[
            {
                "id": c.id,
                "label": c.label,
                "text": c.text,
                "is_correct": c.is_correct,
                "picks": figures.picks.get(c.id, 0),
            }
            for c in choices
        ],
        reasons=reasons,
        reason_count=len(reasons),
    )


UPDATED_FIELDS = [f.name for f in QuestionStatistics._meta.concrete_fields if f.name != "question"]


def store(rows: Iterable[QuestionStatistics]) -> None:
    """Insert or update every row (one statement per batch)."""
    QuestionStatistics.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["question"],
        update_fields=UPDATED_FIELDS,
    )


def analyse(*, now: datetime | None = None) -> Summary:
    """Compute and store every question's figures and reasons. Idempotent: a second run with
    the same answers stores the same figures."""
    started = time.perf_counter()
    now = now or timezone.now()
    questions = list(Question.objects.order_by("pk").values_list("pk", "kind", "updated_at"))
    attempts = first_attempts()
    graded, cards = _graded_answers(), _card_figures()
    choices, dealt_with = _choices(), _dealt_with()
    rows = [
        statistics_row(
            question_id=pk,
            kind=kind,
            changed_at=updated_at,
            attempts=attempts.get(pk, ()),
            choices=choices.get(pk, ()) if kind == Kind.MULTIPLE_CHOICE else (),
            graded=graded.get(pk, (0, 0)),
            cards=cards.get(pk, (0, 0, None)),
            dealt_with=dealt_with.get(pk, {}),
            now=now,
        )
        for pk, kind, updated_at in questions
    ]
    with transaction.atomic():
        store(rows)
    return Summary(
        questions=len(rows),
        first_attempts=sum(len(found) for found in attempts.values()),
        needing_edits=sum(1 for row in rows if row.reason_count),
        seconds=time.perf_counter() - started,
    )
