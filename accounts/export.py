"""Everything Prep holds about one user, as plain data for "Download my data".

A fixed number of queries however much the user has done (tests pin the count).
"""

from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.models import Mentorship, User
from mentoring.models import Assignment, FeedbackComment
from practice.models import Bookmark, Note, PracticeSession, ReviewCard, SessionItem
from questions.models import QuestionSet, QuestionSetItem

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


def _item(item: SessionItem) -> dict:
    return {
        "position": item.position,
        "question": _question(item.question),
        "response": item.response,
        "selected_choices": [choice.text for choice in item.selected_choices.all()],
        "rating": item.get_rating_display() if item.rating else None,
        "is_correct": item.is_correct,
        "covered_points": item.covered_points,
        "score": item.score,
        "revealed_at": _when(item.revealed_at),
        "answered_at": _when(item.answered_at),
        "time_spent_seconds": _seconds(item.time_spent),
        "feedback": [_comment(comment) for comment in item.comments.all()],
    }


def _session(session: PracticeSession) -> dict:
    return {
        "mode": session.mode,
        "filters": session.filters,
        "question_set": session.question_set.title if session.question_set else None,
        "assignment_id": session.assignment_id,
        "started_at": _when(session.started_at),
        "finished_at": _when(session.finished_at),
        "time_limit_minutes": session.time_limit_minutes,
        "score": session.score,
        "items": [_item(item) for item in session.items.all()],
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


def export_user_data(user: User) -> dict:
    """The user's data as JSON-ready dicts and lists. Eleven queries, whatever the volume."""
    # 1. the profile, with the target track
    profile = User.objects.select_related("target_track").get(pk=user.pk)
    # 2. sessions, 3. their items with questions, 4. selected choices, 5. feedback with authors
    items = SessionItem.objects.select_related("question").prefetch_related(
        "selected_choices",
        Prefetch("comments", queryset=FeedbackComment.objects.select_related("author")),
    )
    sessions = (
        PracticeSession.objects.filter(user=user)
        .select_related("question_set")
        .prefetch_related(Prefetch("items", queryset=items.order_by("position")))
        .order_by("started_at", "pk")
    )
    # 6. review cards
    cards = ReviewCard.objects.filter(user=user).select_related("question").order_by("pk")
    # 7. notes
    notes = Note.objects.filter(user=user).select_related("question").order_by("pk")
    # 8. bookmarks
    bookmarks = Bookmark.objects.filter(user=user).select_related("question").order_by("pk")
    # 9. mentorships, either side
    mentorships = (
        Mentorship.objects.filter(Q(mentor=user) | Q(candidate=user))
        .select_related("mentor", "candidate")
        .order_by("pk")
    )
    # 10. assignments, given or received
    assignments = (
        Assignment.objects.filter(Q(mentor=user) | Q(candidate=user))
        .select_related("mentor", "candidate", "question_set")
        .order_by("pk")
    )
    # 11. comments the user wrote (on their own answers or, as a mentor, on others')
    written = (
        FeedbackComment.objects.filter(author=user)
        .select_related("author", "item__question", "item__session__user")
        .order_by("created_at", "pk")
    )
    # 12. question sets the user owns, 13. their questions
    question_sets = (
        QuestionSet.objects.filter(owner=user)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=QuestionSetItem.objects.select_related("question").order_by("position"),
            )
        )
        .order_by("pk")
    )

    return {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "profile": {
            "username": profile.username,
            "email": profile.email,
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "date_joined": _when(profile.date_joined),
            "last_login": _when(profile.last_login),
            "target_track": profile.target_track.name if profile.target_track else None,
            "interview_date": profile.interview_date.isoformat()
            if profile.interview_date
            else None,
            "daily_goal": profile.daily_goal,
            "desired_retention": profile.desired_retention,
            "daily_review_limit": profile.daily_review_limit,
            "time_zone": profile.time_zone,
            "roles": sorted(profile.groups.values_list("name", flat=True)),
        },
        "practice_sessions": [_session(session) for session in sessions],
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
        "notes": [
            {"question": _question(n.question), "body": n.body, "updated_at": _when(n.updated_at)}
            for n in notes
        ],
        "bookmarks": [
            {"question": _question(b.question), "created_at": _when(b.created_at)}
            for b in bookmarks
        ],
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
        "question_sets": [
            {
                "title": qs.title,
                "slug": qs.slug,
                "description": qs.description,
                "visibility": qs.visibility,
                "questions": [_question(item.question) for item in qs.items.all()],
            }
            for qs in question_sets
        ],
    }
