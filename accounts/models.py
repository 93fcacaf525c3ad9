from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower

from accounts.roles import EDITORS, MENTORS

ROLES = (EDITORS, MENTORS)

TIME_ZONE_CHOICES = sorted((name, name.replace("_", " ")) for name in available_timezones())


def _member_of(group_name: str) -> Exists:
    return Exists(
        User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=group_name)
    )


def is_editor_q() -> models.Q:
    """User.is_editor as a filter: superusers, and staff in the Editors group."""
    return models.Q(is_superuser=True) | models.Q(_member_of(EDITORS), is_staff=True)


class User(AbstractUser):
    """A person using Prep. Everyone is a candidate; roles (Editors, Mentors) are groups."""

    email = models.EmailField("email address", unique=True)
    target_track = models.ForeignKey(
        "questions.Track",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The kind of role you are preparing for.",
    )
    interview_date = models.DateField(
        null=True, blank=True, help_text="We predict how much you will remember on this day."
    )
    daily_goal = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="Questions to answer each day (1–200).",
    )
    desired_retention = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.70), MaxValueValidator(0.97)],
        help_text="How likely you want to be to remember a card when it comes due (0.70–0.97). "
        "Higher means more reviews.",
    )
    daily_review_limit = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="The most due cards a review session offers in one day (1–1000).",
    )
    time_zone = models.CharField(
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="UTC",
        help_text="Your streak and daily goal follow days in this time zone.",
    )
    # Set by sign-up, cleared when the owner of the address opens the link we emailed. It tells
    # an account waiting for its confirmation (inactive until then, deleted by
    # `manage.py prune_unconfirmed` when nobody confirms it) from one an admin deactivated.
    awaiting_confirmation = models.BooleanField(
        default=False,
        help_text="Signed up but the address is not confirmed yet: the account stays inactive "
        "until its owner opens the link we emailed.",
    )

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of this user's role groups, read once per request (one query) when a page
        first asks."""
        return frozenset(self.groups.filter(name__in=ROLES).values_list("name", flat=True))

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone, for their days (streaks, daily goals) and the dates they read;
        UTC when the stored name is not in this machine's time zone data."""
        try:
            return ZoneInfo(self.time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    @property
    def is_editor(self) -> bool:
        """Superusers, and staff in the Editors group (is_editor_q() is the same rule as a
        filter)."""
        return self.is_superuser or (self.is_staff and EDITORS in self.role_names)

    @property
    def is_mentor(self) -> bool:
        return MENTORS in self.role_names


class Mentorship(models.Model):
    """A mentor follows a candidate's progress. Created when the candidate accepts an invite."""

    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentorships_given")
    candidate = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="mentorships_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentor", "candidate"], name="unique_mentorship"),
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("candidate")), name="mentor_is_not_candidate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.candidate}"
