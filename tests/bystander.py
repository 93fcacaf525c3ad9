"""A bystander: another candidate in the middle of everything, whose rows no write of someone
else's may touch.

Bea has open study, quiz and mock sessions (answered, revealed and untouched items in each), a
mock interview waiting for its scoring, review cards on the same questions as the test's
candidate, a note, and a feedback thread with her mentor holding unread comments both ways. A
write that loses its row filter (`pk=`, `user=`, `session=`) lands on her rows, so every write
test can end with `bea.assert_untouched()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import Mentorship, User
from mentoring.models import Assignment, FeedbackComment
from practice.models import (
    Bookmark,
    CardState,
    Mode,
    Note,
    PracticeSession,
    Rating,
    ReviewCard,
    SessionItem,
)
from questions.models import Kind
from tests.factories import (
    AssignmentFactory,
    FeedbackCommentFactory,
    MentorFactory,
    MentorshipFactory,
    NoteFactory,
    PracticeSessionFactory,
    QuestionFactory,
    QuestionSetFactory,
    ReviewCardFactory,
    SessionItemFactory,
    UserFactory,
    multiple_choice_question,
)

# Every row that belongs to the bystander, as a queryset of her rows per model.
OWNED_ROWS = {
    PracticeSession: "user",
    SessionItem: "session__user",
    ReviewCard: "user",
    FeedbackComment: "item__session__user",
    Assignment: "candidate",
    Mentorship: "candidate",
    Note: "user",
    Bookmark: "user",
}


def snapshot(user: User) -> dict[str, list[dict]]:
    """Every row `user` owns (sessions, answers with their chosen choices, cards, threads,
    assignments, mentorships, notes, bookmarks), field by field, in primary key order."""
    rows: dict[str, list[dict]] = {}
    for model, owner in OWNED_ROWS.items():
        rows[model.__name__] = [
            {**model_to_dict(row), "pk": row.pk}
            for row in model.objects.filter(**{owner: user}).order_by("pk")
        ]
    rows["User"] = [model_to_dict(User.objects.get(pk=user.pk), exclude=["last_login"])]
    return rows


@dataclass
class Bystander:
    user: User
    mentor: User
    study: PracticeSession
    quiz: PracticeSession
    mock: PracticeSession
    waiting_mock: PracticeSession
    assigned: PracticeSession
    before: dict = field(default_factory=dict)

    def assert_untouched(self) -> None:
        """Fails, naming the first model that changed, if any of her rows did."""
        after = snapshot(self.user)
        for name, rows in self.before.items():
            assert after[name] == rows, f"the bystander's {name} rows changed"

    @property
    def unread_comments(self) -> int:
        return FeedbackComment.objects.filter(
            item__session__user=self.user, read_at__isnull=True
        ).count()


def _items(session: PracticeSession, questions, *, answered=0, revealed=0, now, **answer):
    """Items over `questions`: the first `answered` answered, the next `revealed` shown."""
    session.item_count = len(questions)
    session.answered_count = answered
    session.save(update_fields=["item_count", "answered_count"])
    for position, question in enumerate(questions, start=1):
        fields: dict = {}
        if position <= answered:
            fields = {
                "answered_at": now - timedelta(minutes=5),
                "revealed_at": now - timedelta(minutes=5),
                "time_spent": timedelta(seconds=40 + position),
                "response": f"Bea's answer {position}",
                **answer,
            }
        elif position <= answered + revealed:
            fields = {
                "revealed_at": now - timedelta(minutes=2),
                "response": f"Bea's draft {position}",
            }
        SessionItemFactory(session=session, question=question, position=position, **fields)


def build_bystander(questions, *, mentor: User | None = None) -> Bystander:
    """Bea, with sessions, cards and a thread over `questions` (pass the questions the test is
    about to answer, so that her cards and items sit on the same questions). Her mentor is
    `mentor` when given (so that one mentor has two mentees), a mentor of her own otherwise.
    Multiple-choice questions are made for her quiz when `questions` has none."""
    now = timezone.now()
    questions = list(questions)
    open_ended = [q for q in questions if q.kind != Kind.MULTIPLE_CHOICE]
    while len(open_ended) < 3:
        open_ended.append(QuestionFactory())
    choice_questions = [q for q in questions if q.kind == Kind.MULTIPLE_CHOICE]
    while len(choice_questions) < 2:
        choice_questions.append(multiple_choice_question())
    user = UserFactory(username="bea", email="bea@example.com", first_name="Bea")
    mentor = mentor or MentorFactory(username="max", email="max@example.com")
    MentorshipFactory(mentor=mentor, candidate=user)
    started = now - timedelta(minutes=10)

    def session(mode, **kwargs) -> PracticeSession:
        return PracticeSessionFactory.create(
            user=user, mode=mode, started_at=started, last_activity_at=started, **kwargs
        )

    study = session(Mode.STUDY)
    # One answered, one shown with a typed draft, the rest untouched.
    _items(
        study,
        open_ended,
        answered=1,
        revealed=1,
        now=now,
        rating=Rating.GOOD,
        is_correct=True,
        score=1.0,
    )
    quiz = session(Mode.QUIZ)
    _items(quiz, choice_questions[:2], answered=1, now=now, rating=Rating.AGAIN, is_correct=False)
    wrong = quiz.items.get(position=1).question.choices.filter(is_correct=False).first()
    quiz.items.get(position=1).selected_choices.set([wrong])
    mock = session(Mode.MOCK, time_limit_minutes=60)
    _items(mock, open_ended[:2], answered=1, now=now)
    waiting_mock = session(Mode.MOCK, time_limit_minutes=30, closed_at=now - timedelta(minutes=1))
    _items(waiting_mock, open_ended[:2], answered=1, now=now)

    # An assignment from her mentor, one answer given, a thread with unread comments both ways.
    assignment = AssignmentFactory(
        mentor=mentor,
        candidate=user,
        question_set=QuestionSetFactory(owner=mentor, visibility="private"),
    )
    assigned = session(Mode.STUDY, assignment=assignment, question_set=assignment.question_set)
    _items(assigned, open_ended[:1], answered=1, now=now, rating=Rating.HARD, score=1.0)
    answer = assigned.items.get()
    FeedbackCommentFactory(item=answer, author=mentor, body="Bea: say more about the cost.")
    FeedbackCommentFactory(item=answer, author=user, body="Max: it is linear.")

    for index, question in enumerate(dict.fromkeys([*open_ended, *choice_questions])):
        ReviewCardFactory(
            user=user,
            question=question,
            state=CardState.REVIEW,
            step=None,
            stability=4.5 + index,
            difficulty=6.25,
            due=now + timedelta(days=3 + index),
            last_review=now - timedelta(days=2),
            last_rating=Rating.HARD,
            reps=4,
            lapses=1,
        )
    NoteFactory(user=user, question=open_ended[0], body="Bea's note.")
    bystander = Bystander(
        user=user,
        mentor=mentor,
        study=study,
        quiz=quiz,
        mock=mock,
        waiting_mock=waiting_mock,
        assigned=assigned,
    )
    bystander.before = snapshot(user)
    return bystander
