"""Practice sessions and their items, the review schedule, bookmarks and notes.

A session knows which card it shows at a given time (PracticeSession.card_at); its items record
the candidate's answers (SessionItem.record_grade and the like), each under the session's row
lock."""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Avg, Case, F, Q, Sum, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from practice import draw
from questions.models import RUNNABLE_KINDS, Choice, Kind, Question, QuestionSet, Status
from questions.output import OutputComparison
from runner.browser import sql


class Mode(models.TextChoices):
    STUDY = "study", "Study"
    QUIZ = "quiz", "Quiz"
    REVIEW = "review", "Review due"
    MOCK = "mock", "Mock interview"
    MISTAKES = "mistakes", "Mistakes"


class Rating(models.IntegerChoices):
    """The four grades of FSRS (same numbers as fsrs.Rating)."""

    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


# The modes whose items are drawn from the bank (the others come from the candidate's history).
DRAWN_MODES = (Mode.STUDY, Mode.QUIZ, Mode.MOCK)

# A mock answer sent within this long after the deadline is still accepted: it was typed in time
# and is only in flight (or sent by the countdown itself as the clock ran out).
MOCK_GRACE = timedelta(seconds=30)
# An answer's time counts from the previous answer, but a candidate who left for lunch did not
# spend an hour on one question: cap it (mock interviews: at the length of the interview).
MAX_TIME_PER_ANSWER = timedelta(minutes=30)

# A mock interview's stages, in draw.MOCK_STAGES order, as its card names them.
STAGE_NAMES = ("Coding and practical", "Concepts", "System design", "Behavioural")
# The card of an unanswered question outside a mock interview, by kind (others: "study").
STUDY_STAGES = {Kind.MULTIPLE_CHOICE: "quiz", Kind.PREDICT_OUTPUT: "predict"}


class Outcome(enum.Enum):
    RECORDED = "recorded"
    ALREADY_ANSWERED = "already answered"  # a double post: nothing changed
    CLOSED = "closed"  # the session is finished or past its time limit: nothing changed


def rating_for_coverage(score: float) -> Rating:
    """A mock answer's grade for the schedule, from the share of key points it covered."""
    if score < 0.4:
        return Rating.AGAIN
    if score < 0.7:
        return Rating.HARD
    return Rating.GOOD


class PracticeSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unfinished(self):
        return self.filter(finished_at__isnull=True)

    def finished(self):
        return self.filter(finished_at__isnull=False)


class PracticeSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    # What the candidate asked for (track, topics, difficulty, kinds, count), kept for the record.
    filters = models.JSONField(default=dict, blank=True)
    question_set = models.ForeignKey(
        QuestionSet, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    assignment = models.ForeignKey(
        "mentoring.Assignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Mock interviews only."
    )
    # Denormalised: item_count set when the session starts, answered_count raised with each
    # answer, so that lists and progress bars never count items per row.
    item_count = models.PositiveSmallIntegerField(default=0)
    answered_count = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, help_text="0–1, set when finished.")
    # Mock interviews: when the candidate stopped answering early ("End the interview now").
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the last answer came in; an answer's time_spent counts from here.
    last_activity_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="session_user_recent_idx"),
            models.Index(fields=["assignment", "user"], name="session_assignment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} by {self.user} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def is_mock(self) -> bool:
        return self.mode == Mode.MOCK

    @property
    def deadline(self) -> datetime | None:
        """When a timed mock interview stops taking answers; None when there is no limit."""
        if not self.is_mock or not self.time_limit_minutes:
            return None
        return self.started_at + timedelta(minutes=self.time_limit_minutes)

    def is_past_deadline(self, now: datetime) -> bool:
        deadline = self.deadline
        return deadline is not None and now > deadline

    def accepts_answers(self, now: datetime) -> bool:
        """Whether an answer sent at `now` may still be recorded."""
        if self.is_finished or self.closed_at is not None:
            return False
        deadline = self.deadline
        return deadline is None or now <= deadline + MOCK_GRACE

    def is_awaiting_assessment(self, now: datetime) -> bool:
        """A mock interview whose answering is over but whose answers are not yet scored."""
        if not self.is_mock or self.is_finished:
            return False
        return (
            self.closed_at is not None
            or self.is_past_deadline(now)
            or self.answered_count >= self.item_count
        )

    @property
    def progress_percent(self) -> int:
        if not self.item_count:
            return 0
        return round(100 * self.answered_count / self.item_count)

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(100 * self.score)

    # --- the card it shows -----------------------------------------------------------------------

    def current_item(self) -> SessionItem | None:
        """The first unanswered question, with its topic, or None."""
        item = (
            SessionItem.objects.select_related("question__topic")
            .filter(session=self, answered_at__isnull=True)
            .order_by("position")
            .first()
        )
        if item is not None:
            item.session = self
        return item

    def card_at(
        self,
        now: datetime,
        *,
        item: SessionItem | None = None,
        current: SessionItem | None = None,
    ) -> dict:
        """Which stage the session is in at `now` and the card it shows, as the context of
        _session_card.html ("stage", "item", "position" and what the card's kind needs).

        With `item`, an answered question is shown with its result (a quiz's marked choices);
        otherwise the first unanswered question (`current` when the caller has fetched it
        already). A multiple-choice question's choices are fetched here, only for such a
        question."""
        card: dict = {"session": self, "item": None}
        if self.is_mock and not self.is_finished:
            item = None  # no peeking at an answered question's model answer mid-interview
        if item is not None and item.is_answered:
            card.update(item=item, stage="result")
        elif self.is_finished:
            card["stage"] = "finished"
        elif self.is_awaiting_assessment(now):
            card["stage"] = "assess"
            card["items"] = list(
                SessionItem.objects.filter(session=self).select_related("question__topic")
            )
        else:
            item = item or current or self.current_item()
            if item is None:
                card["stage"] = "finished"
            elif self.is_mock:
                card.update(item=item, stage="mock")
            else:
                card.update(item=item, stage=STUDY_STAGES.get(item.question.kind, "study"))
        shown = card["item"]
        card["position"] = shown.position if shown else self.item_count
        if shown is None:
            return card
        kind = shown.question.kind
        if card["stage"] != "mock":
            card["key_points"] = shown.question.key_point_list
        if kind in RUNNABLE_KINDS:
            prefetch_related_objects([shown], "question__tests")  # skipped if already there
            card.update(shown.code_card())
        if kind == Kind.SQL:
            card.update(shown.query_card())
        if kind == Kind.MULTIPLE_CHOICE:
            if card["stage"] in ("quiz", "result"):
                prefetch_related_objects([shown], "question__choices")  # skipped if there
            if card["stage"] == "result":
                card["selected_ids"] = set(shown.selected_choices.values_list("pk", flat=True))
        if card["stage"] == "mock":
            card.update(self._mock_clock(shown, now))
        return card

    def _mock_clock(self, item: SessionItem, now: datetime) -> dict:
        """A mock card's stage name and, when the interview is timed, the time left."""
        stage = draw.STAGE_OF_KIND.get(item.question.kind)
        clock: dict = {"stage_name": STAGE_NAMES[stage] if stage is not None else "Question"}
        deadline = self.deadline
        if deadline is not None:
            seconds = max(0, (deadline - now).total_seconds())
            clock.update(
                deadline=deadline, seconds_left=int(seconds), minutes_left=math.ceil(seconds / 60)
            )
        return clock

    # --- recording -------------------------------------------------------------------------------
    # Recording an answer is idempotent: the item row is claimed with a conditional
    # UPDATE ... WHERE answered_at IS NULL while the session row is locked (SELECT ... FOR UPDATE
    # on PostgreSQL), so a double click, the back button or a second tab records the answer once
    # and moves the schedule once.

    def _lock(self) -> PracticeSession:
        """Re-read the session under a row lock, in place, so that the caller's copy shows the
        outcome. Answers in one session queue up behind each other and behind "finish". The
        user comes in the same query (their row is not locked): recording reads it."""
        locked = PracticeSession.objects.select_for_update(of=("self",)).select_related("user")
        self.refresh_from_db(from_queryset=locked)
        return self

    def _time_spent(self, now: datetime) -> timedelta:
        since = self.last_activity_at or self.started_at
        cap = max(MAX_TIME_PER_ANSWER, timedelta(minutes=self.time_limit_minutes or 0))
        return min(max(now - since, timedelta(0)), cap)

    def _count_answer(self, now: datetime) -> None:
        PracticeSession.objects.filter(pk=self.pk).update(
            answered_count=F("answered_count") + 1, last_activity_at=now
        )
        self.answered_count += 1
        self.last_activity_at = now
        if not self.is_mock and self.answered_count >= self.item_count:
            self._score(now)

    def _score(self, now: datetime) -> None:
        """Finish the session with its score."""
        items = SessionItem.objects.filter(session=self)
        if self.is_mock:
            # Unanswered questions in an interview count as nothing said.
            total = items.aggregate(total=Sum("score"))["total"] or 0.0
            score = total / self.item_count if self.item_count else None
        else:
            score = items.answered().aggregate(score=Avg("score"))["score"]
        PracticeSession.objects.filter(pk=self.pk, finished_at__isnull=True).update(
            finished_at=now, score=score
        )
        self.finished_at = now
        self.score = score

    def assess(self, covered: Mapping[int, Collection[int]], *, now=None) -> Outcome:
        """Score a mock interview from the key points the candidate ticked for each answer.

        `covered` maps item ids to indexes into the question's key points (others are ignored).
        Answered questions update the schedule; unanswered ones score 0. Finishes the session.
        Raises ValueError if the interview is still taking answers.
        """
        from practice.scheduling import REVIEW_FIELDS, apply_review, scheduler_for

        now = now or timezone.now()
        with transaction.atomic():
            self._lock()
            if self.is_finished:
                return Outcome.ALREADY_ANSWERED
            if not self.is_awaiting_assessment(now):
                raise ValueError("The interview is still running.")
            items = list(self.items.select_related("question"))
            cards = {
                card.question_id: card
                for card in ReviewCard.objects.select_for_update().filter(
                    user=self.user, question_id__in=[item.question_id for item in items]
                )
            }
            scheduler = scheduler_for(self.user)
            new_cards = []
            for item in items:
                item._assess(covered.get(item.pk, ()))
                if not item.is_answered:
                    continue
                card = cards.get(item.question_id)
                if card is None:
                    card = ReviewCard(user=self.user, question_id=item.question_id)
                    new_cards.append(card)
                apply_review(card, item.rating, at=now, scheduler=scheduler)
            SessionItem.objects.bulk_update(
                items, ["covered_points", "score", "rating", "is_correct"]
            )
            ReviewCard.objects.bulk_update(list(cards.values()), REVIEW_FIELDS)
            ReviewCard.objects.bulk_create(new_cards)
            self._score(now)
        return Outcome.RECORDED

    def finish(self, *, now: datetime | None = None) -> Outcome:
        """End the session now. A mock interview stops taking answers and moves on to scoring;
        any other session is scored on what was answered."""
        now = now or timezone.now()
        with transaction.atomic():
            self._lock()
            if self.is_finished:
                return Outcome.CLOSED
            if self.is_mock:
                if self.closed_at is None:
                    PracticeSession.objects.filter(pk=self.pk).update(closed_at=now)
            else:
                self._score(now)
        return Outcome.RECORDED


class SessionItemQuerySet(models.QuerySet):
    def answered(self):
        return self.filter(answered_at__isnull=False)

    def for_user(self, user):
        return self.filter(session__user=user)


class SessionItem(models.Model):
    """One question in a session, and the candidate's answer to it."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="session_items")
    position = models.PositiveSmallIntegerField()
    response = models.TextField(blank=True)
    selected_choices = models.ManyToManyField(Choice, blank=True, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    # Mock interviews: indexes into question.key_point_list the candidate says they covered.
    covered_points = models.JSONField(default=list, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="0–1.")
    revealed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    time_spent = models.DurationField(null=True, blank=True)
    # Coding and practical questions: the per-test results of the last Submit, as the
    # candidate's browser reported them (runner/results.py checks their shape, not their truth).
    test_results = models.JSONField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Multiple choice: the question's choice ids in the order this candidate is shown them,
    # shuffled when the question was drawn into the session, so that the card, its result, the
    # summary, the mentor's page and the export agree. Empty: the question's own order (other
    # kinds, and items from before choices were shuffled).
    choice_order = models.JSONField(default=list, blank=True)

    objects = SessionItemQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="unique_item_position"),
            models.UniqueConstraint(fields=["session", "question"], name="unique_item_question"),
        ]
        indexes = [
            models.Index(fields=["answered_at"], name="item_answered_at_idx"),
            # The practice page and every card swap ask for a session's first unanswered item:
            # read in position order straight from here instead of sorting the whole session.
            models.Index(
                fields=["session", "position"],
                condition=Q(answered_at__isnull=True),
                name="item_unanswered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.position}: {self.question_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None

    @property
    def tests_passed(self) -> int:
        return sum(1 for result in self.test_results or () if result["status"] == "pass")

    @property
    def passed_every_test(self) -> bool:
        return bool(self.test_results) and self.tests_passed == len(self.test_results)

    @property
    def ordered_choices(self) -> list[Choice]:
        """The question's choices in the order this candidate sees them (needs
        question.choices prefetched). A choice added to the question after the item was made
        comes last; one deleted since is simply gone."""
        choices = list(self.question.choices.all())
        if not self.choice_order:
            return choices
        rank = {pk: index for index, pk in enumerate(self.choice_order)}
        # A stable sort: choices the stored order does not know keep their own order, last.
        return sorted(choices, key=lambda choice: rank.get(choice.pk, len(rank)))

    @cached_property
    def shown_choices(self) -> list[tuple[Choice, bool]]:
        """ordered_choices, each with whether the candidate picked it (needs question.choices
        and selected_choices prefetched): what a list of answers shows for each."""
        picked = {choice.pk for choice in self.selected_choices.all()}
        return [(choice, choice.pk in picked) for choice in self.ordered_choices]

    @cached_property
    def prediction(self) -> OutputComparison | None:
        """A predict-the-output answer against what the snippet prints, line by line (None for
        other kinds, and before it is answered)."""
        if self.question.kind != Kind.PREDICT_OUTPUT or not self.is_answered:
            return None
        return self.question.compare_prediction(self.response)

    @property
    def was_missed(self) -> bool:
        """Answered wrong, or graded Again: what "Practise mistakes" offers again."""
        return self.is_correct is False or self.rating == Rating.AGAIN

    # --- what its card shows ---------------------------------------------------------------------

    @property
    def suggested_rating(self) -> Rating | None:
        """The grade a Submit suggests: Good after passing every test, Again otherwise (None
        before any Submit)."""
        if self.test_results is None:
            return None
        return Rating.GOOD if self.passed_every_test else Rating.AGAIN

    def code_card(self) -> dict:
        """What a coding or practical card needs for its editor and runner (needs
        question.tests loaded)."""
        question = self.question
        if not question.has_tests_to_run:
            return {"runs_code": False}
        return {
            "runs_code": True,
            "examples": [test for test in question.tests.all() if not test.is_hidden],
            "runner_tests": {
                "visible": question.runner_tests(include_hidden=False),
                "all": question.runner_tests(include_hidden=True),
            },
            "suggested_rating": self.suggested_rating,
        }

    def query_card(self) -> dict:
        """What an SQL card needs: the dataset, the expected result on the visible rows, and
        what the runner checks the query against (templates/runner/_runner.html)."""
        question = self.question
        checks = question.sql_checks()
        if checks is None:
            return {"runs_code": False}
        visible = checks[0]["expected"]
        return {
            "runs_code": True,
            "runs_query": True,
            "dataset": question.dataset,
            "expected_table": sql.table({**visible, "row_count": len(visible["rows"])}),
            "runner_sql": {
                "schema": question.dataset.schema,
                "ordered": question.ordered_rows,
                "checks": {"visible": checks[:1], "all": checks},
            },
            "suggested_rating": self.suggested_rating,
        }

    # --- recording answers (see PracticeSession: the session row is locked first) ----------------

    def _claim(self, **fields) -> bool:
        """Mark the item answered unless it already is: True if this call did it."""
        return bool(
            SessionItem.objects.filter(pk=self.pk, answered_at__isnull=True).update(**fields)
        )

    def reveal(self, *, response: str = "", now: datetime | None = None) -> bool:
        """Show the model answer of a study or review card, keeping what the candidate typed
        (or, after a Submit, the submitted code).

        Returns False (changing nothing) if the item is already answered or the session closed.
        """
        now = now or timezone.now()
        with transaction.atomic():
            session = self.session._lock()
            if not session.accepts_answers(now):
                return False
            # After a Submit, the record is the submitted code with its results: what was typed
            # after it and never run does not replace it.
            kept = Case(
                When(submitted_at__isnull=False, then=F("response")),
                default=Value(response),
                output_field=SessionItem._meta.get_field("response"),
            )
            updated = SessionItem.objects.filter(pk=self.pk, answered_at__isnull=True).update(
                revealed_at=Coalesce(F("revealed_at"), now), response=kept
            )
        return bool(updated)

    def record_grade(
        self, rating: Rating | int, *, response: str | None = None, now=None
    ) -> Outcome:
        """Record the candidate's grade for a study or review card and update its schedule."""
        now = now or timezone.now()
        rating = Rating(rating)
        with transaction.atomic():
            session = self.session._lock()
            if not session.accepts_answers(now):
                return Outcome.CLOSED
            fields = {
                "answered_at": now,
                "revealed_at": Coalesce(F("revealed_at"), now),
                "rating": rating,
                "is_correct": rating != Rating.AGAIN,
                "score": 0.0 if rating == Rating.AGAIN else 1.0,
                "time_spent": session._time_spent(now),
            }
            if response is not None:
                fields["response"] = response
            if not self._claim(**fields):
                return Outcome.ALREADY_ANSWERED
            ReviewCard.review(
                user=session.user, question_id=self.question_id, rating=rating, now=now
            )
            session._count_answer(now)
        return Outcome.RECORDED

    def record_choices(
        self, choice_ids: Collection[int], *, now: datetime | None = None
    ) -> Outcome:
        """Grade a multiple-choice answer: right counts as Good for the schedule, wrong as Again.

        Choice ids that are not the question's own are ignored.
        """
        choices = dict(self.question.choices.values_list("pk", "is_correct"))
        chosen = set(choice_ids) & choices.keys()
        is_correct = bool(chosen) and chosen == {pk for pk, ok in choices.items() if ok}
        return self._record_quiz_answer(is_correct, chosen=chosen, now=now or timezone.now())

    def record_prediction(self, prediction: str, *, now: datetime | None = None) -> Outcome:
        """Grade a predict-the-output answer as a quiz answer: it is right when it matches what
        the snippet prints, line by line (Question.compare_prediction, on the server: nothing
        the browser says is taken on trust). Right counts as Good for the schedule, wrong as
        Again; the prediction is kept as the item's response."""
        is_correct = self.question.compare_prediction(prediction).matches
        return self._record_quiz_answer(is_correct, response=prediction, now=now or timezone.now())

    def _record_quiz_answer(
        self,
        is_correct: bool,
        *,
        now: datetime,
        response: str | None = None,
        chosen: Collection[int] | None = None,
    ) -> Outcome:
        """Record a quiz answer graded by the server (with the picked choices, or the typed
        response): right counts as Good for the schedule, wrong as Again."""
        rating = Rating.GOOD if is_correct else Rating.AGAIN
        fields = {"response": response} if response is not None else {}
        with transaction.atomic():
            session = self.session._lock()
            if not session.accepts_answers(now):
                return Outcome.CLOSED
            claimed = self._claim(
                answered_at=now,
                revealed_at=now,
                rating=rating,
                is_correct=is_correct,
                score=1.0 if is_correct else 0.0,
                time_spent=session._time_spent(now),
                **fields,
            )
            if not claimed:
                return Outcome.ALREADY_ANSWERED
            if chosen is not None:
                self.selected_choices.set(chosen)
            ReviewCard.review(
                user=session.user, question_id=self.question_id, rating=rating, now=now
            )
            session._count_answer(now)
        return Outcome.RECORDED

    def record_mock_answer(self, response: str, *, now: datetime | None = None) -> Outcome:
        """Record a typed mock-interview answer; refused once the time limit has passed."""
        now = now or timezone.now()
        with transaction.atomic():
            session = self.session._lock()
            if not session.accepts_answers(now):
                return Outcome.CLOSED
            if not self._claim(
                answered_at=now, response=response, time_spent=session._time_spent(now)
            ):
                return Outcome.ALREADY_ANSWERED
            session._count_answer(now)
        return Outcome.RECORDED

    def record_submission(
        self, *, code: str, results: list[dict], now: datetime | None = None
    ) -> Outcome:
        """Record a Submit: the code and the per-test results the candidate's browser reported.

        In a mock interview the submission is the answer, as record_mock_answer. Elsewhere the
        item keeps its latest submission and waits for its grade; one that passed every test
        shows the model solution, and the grade form suggests Good (Again otherwise). The
        results are the browser's word, never proof: they are stored and shown as such.
        Nothing changes once the item is answered or the session closed.
        """
        now = now or timezone.now()
        passed = all(result["status"] == "pass" for result in results)
        fields = {"response": code, "test_results": results, "submitted_at": now}
        with transaction.atomic():
            session = self.session._lock()
            if not session.accepts_answers(now):
                return Outcome.CLOSED
            if session.is_mock:
                fields.update(answered_at=now, time_spent=session._time_spent(now))
                if not self._claim(**fields):
                    return Outcome.ALREADY_ANSWERED
                session._count_answer(now)
                return Outcome.RECORDED
            if passed:
                fields["revealed_at"] = Coalesce(F("revealed_at"), now)
            if not SessionItem.objects.filter(pk=self.pk, answered_at__isnull=True).update(
                **fields
            ):
                return Outcome.ALREADY_ANSWERED
        return Outcome.RECORDED

    def _assess(self, covered: Collection[int]) -> None:
        """Score a mock answer from the key points ticked for it (indexes out of range are
        ignored); unanswered, it scores 0. Sets the fields, saves nothing."""
        points = self.question.key_point_list
        self.covered_points = sorted({i for i in covered if 0 <= i < len(points)})
        if not self.is_answered:
            self.score, self.is_correct = 0.0, False
        elif self.question.kind == Kind.PREDICT_OUTPUT:
            # Checked, not ticked: the prediction is right or it is not.
            self.covered_points = []
            self.is_correct = self.question.compare_prediction(self.response).matches
            self.score = 1.0 if self.is_correct else 0.0
            self.rating = Rating.GOOD if self.is_correct else Rating.AGAIN
        else:
            self.score = len(self.covered_points) / len(points) if points else 1.0
            self.rating = rating_for_coverage(self.score)
            self.is_correct = self.rating != Rating.AGAIN


class CardState(models.IntegerChoices):
    """fsrs.State values."""

    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class ReviewCardQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def published(self):
        return self.filter(question__status=Status.PUBLISHED)

    def due_by(self, when: datetime):
        return self.filter(due__lte=when)

    def leeches(self):
        return self.filter(is_leech=True)

    def last_missed(self):
        """Cards whose last answer was wrong or graded Again."""
        return self.filter(last_rating=Rating.AGAIN)


class ReviewCard(models.Model):
    """The FSRS schedule of one question for one candidate."""

    LEECH_LAPSES = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_cards")
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    last_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    is_leech = models.BooleanField(default=False)

    objects = ReviewCardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="unique_review_card"),
        ]
        indexes = [
            models.Index(fields=["user", "due"], name="reviewcard_user_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.question_id} due {self.due:%Y-%m-%d}"

    @classmethod
    def review(cls, *, user, question_id: int, rating: Rating, now: datetime) -> ReviewCard:
        """Move the question's card for this grade, under a row lock; a first answer inserts the
        card already reviewed (one INSERT, not an INSERT of a blank card and then an UPDATE)."""
        from practice.scheduling import REVIEW_FIELDS, apply_review, scheduler_for

        scheduler = scheduler_for(user)
        cards = cls.objects.select_for_update().filter(user=user, question_id=question_id)
        card = cards.first()
        if card is None:
            card = cls(user=user, question_id=question_id)
            apply_review(card, rating, at=now, scheduler=scheduler)
            try:
                with transaction.atomic():
                    card.save(force_insert=True)
                return card
            except IntegrityError:
                # The same question answered at the same moment in another session made the card
                # first (the unique user-question pair): review the card it made, as
                # get_or_create.
                card = cards.get()
        apply_review(card, rating, at=now, scheduler=scheduler)
        card.save(update_fields=REVIEW_FIELDS)
        return card


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="unique_bookmark"),
        ]


class Note(models.Model):
    """A candidate's private note on a question."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(max_length=20_000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="unique_note"),
        ]
