"""Everything Prep holds about one user, as plain data for "Download my data".

A fixed number of queries however much the user has done (tests pin the count).
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Prefetch, Q, Value
from django.utils import timezone

from accounts.models import Mentorship, User
from mentoring.models import Assignment, FeedbackComment
from practice.models import Bookmark, Note, PracticeSession, ReviewCard, SessionItem
from questions.models import QuestionSet

EXPORT_FORMAT = "prep-export/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _seconds(value: timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def _question(question) -> dict:
    return {"slug": question.slug, "title": question.title}


def _comment(comment: FeedbackComment) -> dict:
    return {
        "author": comment.author.username,
        "body": comment.body,
        "created_at": _when(comment.created_at),
        "read_at": _when(comment.read_at),
    }


def _item(item: SessionItem, feedback: list[FeedbackComment]) -> dict:
    return {
        "position": item.position,
        "question": _question(item.question),
        "response": item.response,
        # Coding and practical questions: each test's result, as the browser reported it.
        "test_results": item.test_results,
        "selected_choices": [choice.text for choice in item.selected_choices.all()],
        "rating": item.get_rating_display() if item.rating else None,
        "is_correct": item.is_correct,
        "covered_points": item.covered_points,
        "score": item.score,
        "revealed_at": _when(item.revealed_at),
        "answered_at": _when(item.answered_at),
        "time_spent_seconds": _seconds(item.time_spent),
        "feedback": [_comment(comment) for comment in feedback],
    }


def _session(session: PracticeSession, feedback: dict[int, list[FeedbackComment]]) -> dict:
    return {
        "mode": session.mode,
        "filters": session.filters,
        "question_set": session.question_set.title if session.question_set else None,
        "assignment_id": session.assignment_id,
        "started_at": _when(session.started_at),
        "finished_at": _when(session.finished_at),
        "time_limit_minutes": session.time_limit_minutes,
        "score": session.score,
        "items": [_item(item, feedback.get(item.pk, [])) for item in session.items.all()],
    }


def _assignment(assignment: Assignment) -> dict:
    return {
        "id": assignment.pk,
        "mentor": assignment.mentor.username,
        "candidate": assignment.candidate.username,
        "question_set": assignment.question_set.title,
        "mode": assignment.mode,
        "time_limit_minutes": assignment.time_limit_minutes,
        "due_at": _when(assignment.due_at),
        "note": assignment.note,
        "created_at": _when(assignment.created_at),
    }


def _notes_and_bookmarks(user: User) -> tuple[list[dict], list[dict]]:
    """The user's notes and bookmarks, each in the order they were made, in one query: both
    are a question with a text and a time (a bookmark's text is empty)."""
    text = models.TextField()
    notes = (
        Note.objects.filter(user=user)
        .annotate(kind=Value("note", output_field=text))
        .values_list("kind", "pk", "question__slug", "question__title", "body", "updated_at")
        .order_by()
    )
    bookmarks = (
        Bookmark.objects.filter(user=user)
        .annotate(kind=Value("bookmark", output_field=text), body=Value("", output_field=text))
        .values_list("kind", "pk", "question__slug", "question__title", "body", "created_at")
        .order_by()
    )
    found: dict[str, list[dict]] = {"note": [], "bookmark": []}
    for kind, _pk, slug, title, body, when in notes.union(bookmarks, all=True).order_by(
        "kind", "pk"
    ):
        question = {"slug": slug, "title": title}
        if kind == "note":
            found["note"].append({"question": question, "body": body, "updated_at": _when(when)})
        else:
            found["bookmark"].append({"question": question, "created_at": _when(when)})
    return found["note"], found["bookmark"]


def _question_sets(user: User) -> list[dict]:
    """The sets the user owns, each with its questions in order, in one query: a row per
    question, or a single row without one for an empty set."""
    rows = (
        QuestionSet.objects.filter(owner=user)
        .values_list(
            "pk",
            "title",
            "slug",
            "description",
            "visibility",
            "items__question__slug",
            "items__question__title",
        )
        .order_by("pk", "items__position", "items__pk")
    )
    sets: dict[int, dict] = {}
    for pk, title, slug, description, visibility, question_slug, question_title in rows:
        question_set = sets.setdefault(
            pk,
            {
                "title": title,
                "slug": slug,
                "description": description,
                "visibility": visibility,
                "questions": [],
            },
        )
        if question_slug is not None:
            question_set["questions"].append({"slug": question_slug, "title": question_title})
    return list(sets.values())


def export_user_data(user: User) -> dict:
    """The user's data as JSON-ready dicts and lists, in ten queries whatever the volume
    (fewer when there are no sessions or answers to load items or choices for). `user` is the
    signed-in user as the request loaded it: the profile is read from that row, not again."""
    # 1. the target track's name and the roles: a row per role (one, without a role)
    track_and_roles = list(
        User.objects.filter(pk=user.pk).values_list("target_track__name", "groups__name")
    )
    target_track = track_and_roles[0][0]
    roles = sorted(role for _track, role in track_and_roles if role is not None)
    # 2. sessions with sets, 3. their items with questions, 4. selected choices
    items = SessionItem.objects.select_related("question").prefetch_related("selected_choices")
    sessions = list(
        PracticeSession.objects.filter(user=user)
        .select_related("question_set")
        .prefetch_related(Prefetch("items", queryset=items.order_by("position")))
        .order_by("started_at", "pk")
    )
    # 5. feedback: the comments on the user's answers and those the user wrote (as a mentor,
    # on others' answers), with authors, answers and their questions and candidates
    comments = list(
        FeedbackComment.objects.filter(Q(item__session__user=user) | Q(author=user))
        .select_related("author", "item__question", "item__session__user")
        .order_by("created_at", "pk")
    )
    feedback_received: dict[int, list[FeedbackComment]] = defaultdict(list)
    for comment in comments:
        if comment.item.session.user_id == user.pk:
            feedback_received[comment.item_id].append(comment)
    written = [comment for comment in comments if comment.author_id == user.pk]
    # 6. review cards
    cards = list(ReviewCard.objects.filter(user=user).select_related("question").order_by("pk"))
    # 7. notes and bookmarks
    notes, bookmarks = _notes_and_bookmarks(user)
    # 8. mentorships, either side
    mentorships = list(
        Mentorship.objects.filter(Q(mentor=user) | Q(candidate=user))
        .select_related("mentor", "candidate")
        .order_by("pk")
    )
    # 9. assignments, given or received
    assignments = list(
        Assignment.objects.filter(Q(mentor=user) | Q(candidate=user))
        .select_related("mentor", "candidate", "question_set")
        .order_by("pk")
    )
    # 10. question sets the user owns, with their questions
    question_sets = _question_sets(user)

    return {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "profile": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "target_track": target_track,
            "interview_date": user.interview_date.isoformat() if user.interview_date else None,
            "daily_goal": user.daily_goal,
            "desired_retention": user.desired_retention,
            "daily_review_limit": user.daily_review_limit,
            "time_zone": user.time_zone,
            "roles": roles,
        },
        "practice_sessions": [_session(session, feedback_received) for session in sessions],
        "review_cards": [
            {
                "question": _question(card.question),
                "state": card.get_state_display(),
                "step": card.step,
                "stability": card.stability,
                "difficulty": card.difficulty,
                "due": _when(card.due),
                "last_review": _when(card.last_review),
                "last_rating": card.get_last_rating_display() if card.last_rating else None,
                "reps": card.reps,
                "lapses": card.lapses,
                "is_leech": card.is_leech,
            }
            for card in cards
        ],
        "notes": notes,
        "bookmarks": bookmarks,
        "mentorships": [
            {
                "mentor": m.mentor.username,
                "candidate": m.candidate.username,
                "role": "mentor" if m.mentor_id == user.pk else "candidate",
                "created_at": _when(m.created_at),
            }
            for m in mentorships
        ],
        "assignments": [_assignment(a) for a in assignments],
        "feedback_written": [
            {
                **_comment(c),
                "on_answer_by": c.item.session.user.username,
                "question": _question(c.item.question),
            }
            for c in written
        ],
        "question_sets": question_sets,
    }
