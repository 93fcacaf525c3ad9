"""What editors learn about each question: its figures from the answers (item analysis), the
reasons it needs editing, and the problems candidates report."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from questions.models import Question


class Reason(models.TextChoices):
    """Why the numbers say a question needs editing (curation/analysis.py decides)."""

    TOO_EASY = "too_easy", "Too easy"
    TOO_HARD = "too_hard", "Too hard"
    NEGATIVE_DISCRIMINATION = "negative_discrimination", "Negative discrimination"
    DUBIOUS = "dubious", "Dubious: low discriminative efficiency"
    UNPICKED_DISTRACTOR = "unpicked_distractor", "A distractor nobody picks"


class QuestionStatistics(models.Model):
    """One question's figures, as the last analysis (manage.py analyse_questions) found them.

    Facility, discrimination and the choice picks come from each candidate's first answer to
    the question only; the Again share counts every graded answer, and the leeches and FSRS
    difficulty come from the candidates' review cards. `reasons` are the reasons it needs
    editing that held at the analysis, less those an editor has marked dealt with since.
    """

    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, primary_key=True, related_name="statistics"
    )
    computed_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0, help_text="First attempts.")
    facility = models.FloatField(null=True, blank=True, help_text="Mean score, 0–1.")
    # Moodle's scale: percentages, -100 to 100.
    discrimination_index = models.FloatField(null=True, blank=True)
    discriminative_efficiency = models.FloatField(null=True, blank=True)
    graded_answers = models.PositiveIntegerField(default=0)
    again_share = models.FloatField(null=True, blank=True, help_text="Of every graded answer.")
    cards = models.PositiveIntegerField(default=0)
    leeches = models.PositiveIntegerField(default=0)
    fsrs_difficulty = models.FloatField(null=True, blank=True, help_text="Mean, 1–10.")
    median_seconds = models.FloatField(null=True, blank=True)
    good_rate = models.FloatField(null=True, blank=True, help_text="First attempts graded Good+.")
    pass_rate = models.FloatField(null=True, blank=True, help_text="First Submits passing all.")
    # First attempts per grade: [Again, Hard, Good, Easy].
    grade_counts = models.JSONField(default=list, blank=True)
    # Multiple choice: [{"id", "label", "text", "is_correct", "picks"}] in the question's order.
    choice_picks = models.JSONField(default=list, blank=True)
    # [{"code": a Reason, "text": what the figures say}]
    reasons = models.JSONField(default=list, blank=True)
    reason_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "question statistics"
        indexes = [
            # The needs-editing queue reads the few questions with a reason.
            models.Index(
                fields=["question"], condition=Q(reason_count__gt=0), name="stats_needs_editing_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Statistics of question {self.question_id}"

    @property
    def facility_percent(self) -> int | None:
        return None if self.facility is None else round(100 * self.facility)

    @property
    def grade_rows(self) -> list[tuple[str, int]]:
        """(grade name, first attempts) for the chart of a self-graded question."""
        names = ("Again", "Hard", "Good", "Easy")
        counts = list(self.grade_counts or []) + [0] * 4
        return list(zip(names, counts[:4], strict=True))

    @property
    def reason_rows(self) -> list[dict]:
        """The reasons with their labels, as the queue and the change page list them."""
        labels = dict(Reason.choices)
        return [
            {**reason, "label": labels.get(reason["code"], reason["code"])}
            for reason in self.reasons
        ]

    def drop_reason(self, code: str) -> bool:
        """Remove a reason (marked dealt with); False when it was not there."""
        kept = [reason for reason in self.reasons if reason.get("code") != code]
        if len(kept) == len(self.reasons):
            return False
        self.reasons, self.reason_count = kept, len(kept)
        return True


class DealtWith(models.Model):
    """An editor's word that a reason is dealt with. The analysis leaves the reason out until
    the question next changes; then it comes back only if the answers given since that change
    show it again."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="dealt_with")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    dealt_with_at = models.DateTimeField(default=timezone.now)
    dealt_with_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=1000)

    class Meta:
        verbose_name_plural = "dealt with"
        constraints = [
            models.UniqueConstraint(fields=["question", "reason"], name="unique_dealt_with"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on question {self.question_id}"


class NeedsEditing(Question):
    """The admin's "Needs editing" queue: the questions that have a reason or an open problem
    report (curation/admin.py). A proxy, so that the queue has its own place, link and
    permissions in the admin; it stores nothing."""

    class Meta:
        proxy = True
        verbose_name = "question that needs editing"
        verbose_name_plural = "needs editing"


class Problem(models.TextChoices):
    WRONG_ANSWER = "wrong_answer", "The answer is wrong"
    UNCLEAR = "unclear", "It is unclear"
    TYPO = "typo", "A typo"
    OUTDATED = "outdated", "It is out of date"
    OTHER = "other", "Something else"


# How long a resolved report stays on the reporter's dashboard.
DASHBOARD_DAYS = 30
DASHBOARD_REPORTS = 5


class ProblemReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def for_dashboard(self, user, *, now: datetime):
        """The reporter's open reports and those resolved in the last DASHBOARD_DAYS, the
        answered ones first."""
        since = now - timedelta(days=DASHBOARD_DAYS)
        return (
            self.filter(reporter=user)
            .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
            .select_related("question")
            .order_by(F("resolved_at").desc(nulls_last=True), "-last_reported_at", "-pk")
        )


class ProblemReport(models.Model):
    """A candidate's report of a problem with a question. A second report of the same question
    by the same candidate while the first is open is merged into it (services.report_problem)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="problem_reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_reports"
    )
    problem = models.CharField("what is wrong", max_length=20, choices=Problem.choices)
    comment = models.TextField(blank=True)
    wants_email = models.BooleanField("e-mail me when it is dealt with", default=False)
    times_reported = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    last_reported_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.TextField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ProblemReportQuerySet.as_manager()

    class Meta:
        ordering = ["-last_reported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "reporter"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_report_per_reporter",
            ),
        ]
        indexes = [
            models.Index(fields=["reporter", "-last_reported_at"], name="report_reporter_idx"),
            models.Index(
                fields=["question"], condition=Q(resolved_at__isnull=True), name="report_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_problem_display()}: {self.question_id} by {self.reporter_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
