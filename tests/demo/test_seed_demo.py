from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Mentorship, User
from accounts.roles import EDITORS, MENTORS
from mentoring.models import Assignment
from practice.models import PracticeSession, ReviewCard, SessionItem
from questions.models import Choice, Kind, Question, QuestionSet, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEED_DOMAIN = "@seed.prep.invalid"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_it_creates_what_it_says():
    output = seed(questions=40, users=20, answers=300, seed=7)

    assert "Seeded in" in output
    assert Question.objects.count() == 40
    assert User.objects.count() == 20
    assert SessionItem.objects.answered().count() == 300
    assert not User.objects.exclude(email__endswith=SEED_DOMAIN).exists()
    assert User.objects.filter(username__startswith="demo-").count() == 20
    assert User.objects.filter(groups__name=EDITORS, is_staff=True).exists()
    assert User.objects.filter(groups__name=MENTORS).exists()
    assert Mentorship.objects.exists()
    assert QuestionSet.objects.filter(items__isnull=False).exists()
    assert Assignment.objects.exists()
    assert ReviewCard.objects.exists()
    for line in ("Questions", "Users", "Answers", "Review cards"):
        assert line in output


def test_the_questions_are_rendered_and_complete():
    seed(questions=60, users=10, answers=50)

    assert not Question.objects.filter(prompt_html="").exists()
    assert not Question.objects.filter(answer_html="").exists()
    assert Question.objects.filter(status=Status.PUBLISHED).count() >= 30
    assert set(Question.objects.values_list("kind", flat=True)) >= {
        Kind.CONCEPT,
        Kind.MULTIPLE_CHOICE,
        Kind.BEHAVIOURAL,
        Kind.SYSTEM_DESIGN,
    }
    question = Question.objects.filter(kind=Kind.MULTIPLE_CHOICE).first()
    assert question is not None
    assert question.choices.filter(is_correct=True).exists()
    assert not Choice.objects.filter(text_html="").exists()
    coding = Question.objects.filter(kind=Kind.CODING).first()
    if coding is not None:
        assert "<pre" in coding.solution_code_html
        assert coding.tests.exists()


def test_its_sessions_add_up():
    seed(questions=30, users=12, answers=400)

    for session in PracticeSession.objects.all():
        items = list(session.items.all())
        assert session.item_count == len(items)
        assert session.answered_count == sum(1 for item in items if item.is_answered)
        if session.is_finished:
            assert session.answered_count == session.item_count
    # Spread over the past year, none in the future.
    oldest = SessionItem.objects.answered().order_by("answered_at").first().answered_at
    newest = SessionItem.objects.answered().order_by("-answered_at").first().answered_at
    assert (newest - oldest).days > 30


def test_the_same_seed_gives_the_same_data():
    seed(questions=20, users=6, answers=80, seed=3)
    first = list(Question.objects.order_by("slug").values_list("title", "kind", "difficulty"))

    # Start over (topics and tags stay: the generator reuses them by slug).
    Question.objects.all().delete()
    User.objects.all().delete()
    seed(questions=20, users=6, answers=80, seed=3)

    assert list(Question.objects.order_by("slug").values_list("title", "kind", "difficulty")) == (
        first
    )


def test_it_refuses_a_database_with_real_users():
    UserFactory(username="real", email="real@example.com")

    with pytest.raises(CommandError, match="holds 1 real user"):
        seed(questions=5, users=5, answers=10)

    assert Question.objects.count() == 0


def test_force_seeds_next_to_real_users():
    UserFactory(username="real", email="real@example.com")

    seed(questions=5, users=5, answers=10, force=True)

    assert User.objects.count() == 6


def test_it_refuses_to_seed_twice():
    seed(questions=5, users=5, answers=10)

    with pytest.raises(CommandError, match="already holds seeded data"):
        seed(questions=5, users=5, answers=10)


def test_force_adds_another_batch_with_names_of_its_own():
    """How a test grows the data between two measurements."""
    seed(questions=5, users=5, answers=10)

    seed(questions=7, users=6, answers=30, force=True)

    assert Question.objects.count() == 12
    assert User.objects.count() == 11
    assert SessionItem.objects.answered().count() == 40
    assert User.objects.filter(username__startswith="demo-r5-").count() == 6


@pytest.mark.parametrize(
    "options", [{"users": 2}, {"questions": 0}, {"answers": -1}, {"batch_size": 0}]
)
def test_it_refuses_numbers_it_cannot_use(options):
    with pytest.raises(CommandError):
        seed(**{"questions": 5, "users": 5, "answers": 10, **options})
    assert User.objects.count() == 0


def test_seeded_users_cannot_log_in_without_a_password_given():
    seed(questions=5, users=5, answers=10)

    assert not any(user.has_usable_password() for user in User.objects.all())


def test_a_given_password_lets_every_seeded_user_log_in():
    output = seed(questions=5, users=5, answers=10, password="demo-pass-123")

    user = User.objects.get(username="demo-mentor-1")
    assert user.check_password("demo-pass-123")
    assert "Log in as demo-editor-1, demo-mentor-1 or demo-candidate-1" in output


def test_its_review_cards_can_be_reviewed_again():
    """Every seeded card is a valid FSRS card: grading it once more works."""
    from practice.scheduling import apply_review, scheduler_for

    seed(questions=30, users=8, answers=300)

    for card in ReviewCard.objects.select_related("user")[:200]:
        apply_review(card, 3, at=card.due, scheduler=scheduler_for(card.user))
