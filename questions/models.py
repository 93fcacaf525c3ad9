from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Track(models.Model):
    """A role track: backend web, data engineering, general software engineering."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    CONCEPT = "concept", "Concept"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    CODING = "coding", "Coding"
    PRACTICAL = "practical", "Practical"
    SYSTEM_DESIGN = "system_design", "System design"
    BEHAVIOURAL = "behavioural", "Behavioural"
    CODE_REVIEW = "code_review", "Code review"


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def in_review(self):
        return self.filter(status=Status.IN_REVIEW)


class Question(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONCEPT)
    difficulty = models.CharField(
        max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    tracks = models.ManyToManyField(Track, blank=True, related_name="questions")
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")

    prompt = models.TextField(help_text="Markdown. The question as an interviewer asks it.")
    prompt_html = models.TextField(blank=True, editable=False)
    answer = models.TextField(help_text="Markdown. The model answer a strong candidate gives.")
    answer_html = models.TextField(blank=True, editable=False)
    key_points = models.TextField(
        help_text="One per line: what an interviewer listens for. Candidates tick these."
    )
    hints = models.TextField(blank=True, help_text="Markdown, one hint per line.")
    hints_html = models.TextField(blank=True, editable=False)
    follow_ups = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="followed_up_by"
    )

    multi_select = models.BooleanField(
        default=False, help_text="Multiple choice only: several choices may be correct."
    )
    starter_code = models.TextField(blank=True)
    starter_code_html = models.TextField(blank=True, editable=False)
    solution_code = models.TextField(blank=True)
    solution_code_html = models.TextField(blank=True, editable=False)
    test_code = models.TextField(blank=True)
    test_code_html = models.TextField(blank=True, editable=False)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_questions",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[tracks, tags])
    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic__position", "title"]
        indexes = [
            models.Index(fields=["status", "topic", "difficulty"], name="question_bank_filter_idx"),
            models.Index(fields=["status", "kind"], name="question_status_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def key_point_list(self) -> list[str]:
        return [line.strip() for line in self.key_points.splitlines() if line.strip()]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.TextField(help_text="Markdown.")
    text_html = models.TextField(blank=True, editable=False)
    is_correct = models.BooleanField(default=False)
    explanation = models.TextField(help_text="Markdown: why this choice is right or wrong.")
    explanation_html = models.TextField(blank=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private"
    PUBLIC = "public", "Public"


class QuestionSet(models.Model):
    """An ordered list of questions. Public sets are curated by editors; private ones belong
    to a mentor."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="question_sets",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    questions = models.ManyToManyField(
        Question, through="QuestionSetItem", related_name="question_sets"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["owner", "visibility"], name="questionset_owner_vis_idx")]

    def __str__(self) -> str:
        return self.title


class QuestionSetItem(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "question"], name="unique_question_in_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_set}: {self.question}"
