"""Everything Prep holds about one user, as plain data for "Download my data".

A fixed number of queries however much the user has done (tests pin the count). It reads
every app's models, so it lives above them all (pyproject.toml's import-linter contract).
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.models import Mentorship, User
from curation.models import ProblemReport
from mentoring.models import Assignment, FeedbackComment
from practice.models import Bookmark, Note, PracticeSession, ReviewCard, SessionItem
from questions.models import Question, QuestionSet

EXPORT_FORMAT = "prep-export/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _seconds(value: timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def _question(question: Question) -> dict:
    return {"slug": question.slug, "title": question.title}


def _comment(comment: FeedbackComment) -> dict:
    return {
        "author": comment.author.username,
        "body": comment.body,
        "created_at": _when(comment.created_at),
        "read_at": _when(comment.read_at),
    }


def _item(item: SessionItem, feedback: list[FeedbackComment]) -> dict:
    selected = {choice.pk for choice in item.selected_choices.all()}
    # Multiple choice: every choice in the order the user was shown them, and which they picked.
    shown = item.ordered_choices
    return {
        "position": item.position,
        "question": _question(item.question),
        "response": item.response,
        # Coding and practical questions: each test's result, as the browser reported it.
        "test_results": item.test_results,
        "choices": [
            {"text": choice.text, "correct": choice.is_correct, "selected": choice.pk in selected}
            for choice in shown
        ],
        "selected_choices": [choice.text for choice in shown if choice.pk in selected],
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


def _report(report: ProblemReport) -> dict:
    return {
        "question": _question(report.question),
        "problem": report.get_problem_display(),
        "comment": report.comment,
        "wants_email": report.wants_email,
        "times_reported": report.times_reported,
        "created_at": _when(report.created_at),
        "resolved_at": _when(report.resolved_at),
        "reply": report.reply,
    }


def _notes(user: User) -> list[dict]:
    notes = Note.objects.filter(user=user).select_related("question").order_by("pk")
    return [
        {
            "question": _question(note.question),
            "body": note.body,
            "updated_at": _when(note.updated_at),
        }
        for note in notes
    ]


def _bookmarks(user: User) -> list[dict]:
    bookmarks = Bookmark.objects.filter(user=user).select_related("question").order_by("pk")
    return [
        {"question": _question(bookmark.question), "created_at": _when(bookmark.created_at)}
        for bookmark in bookmarks
    ]


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
    """The user's data as JSON-ready dicts and lists, in thirteen queries whatever the volume
    (fewer when there are no sessions or answers to load items or choices for). `user` is the
    signed-in user as the request loaded it: the profile is read from that row, not again."""
    # 1. the target track's name and the roles: a row per role (one, without a role)
    track_and_roles = list(
        User.objects.filter(pk=user.pk).values_list("target_track__name", "groups__name")
    )
    target_track = track_and_roles[0][0]
    roles = sorted(role for _track, role in track_and_roles if role is not None)
    # 2. sessions with sets, 3. their items with questions, 4. selected choices, 5. the
    # questions' choices (multiple choice: every choice, in the order the user saw them)
    items = SessionItem.objects.select_related("question").prefetch_related(
        "selected_choices", "question__choices"
    )
    sessions = list(
        PracticeSession.objects.filter(user=user)
        .select_related("question_set")
        .prefetch_related(Prefetch("items", queryset=items.order_by("position")))
        .order_by("started_at", "pk")
    )
    # 6. feedback: the comments on the user's answers and those the user wrote (as a mentor,
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
    # 7. review cards
    cards = list(ReviewCard.objects.filter(user=user).select_related("question").order_by("pk"))
    # 8. notes, 9. bookmarks
    notes = _notes(user)
    bookmarks = _bookmarks(user)
    # 10. mentorships, either side
    mentorships = list(
        Mentorship.objects.filter(Q(mentor=user) | Q(candidate=user))
        .select_related("mentor", "candidate")
        .order_by("pk")
    )
    # 11. assignments, given or received
    assignments = list(
        Assignment.objects.filter(Q(mentor=user) | Q(candidate=user))
        .select_related("mentor", "candidate", "question_set")
        .order_by("pk")
    )
    # 12. question sets the user owns, with their questions
    question_sets = _question_sets(user)
    # 13. the problems the user reported, with their questions and the editors' replies
    reports = list(
        ProblemReport.objects.filter(reporter=user)
        .select_related("question")
        .order_by("created_at", "pk")
    )

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
        "problem_reports": [_report(report) for report in reports],
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
