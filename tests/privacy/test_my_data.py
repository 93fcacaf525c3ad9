"""Download my data, and delete my account."""

import json

import pytest
from django.test import Client

from accounts.models import Mentorship, User
from accounts.roles import MENTORS
from curation.models import ProblemReport
from mentoring.models import Assignment, FeedbackComment
from practice.models import Bookmark, Note, PracticeSession, ReviewCard, SessionItem
from questions.models import QuestionSet, Visibility
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    BookmarkFactory,
    FeedbackCommentFactory,
    NoteFactory,
    PracticeSessionFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    ReviewCardFactory,
    SessionItemFactory,
    TrackFactory,
    UserFactory,
    multiple_choice_question,
)

EXPORT = "/accounts/profile/export/"
DELETE = "/accounts/delete/"


def give_history(user, mentor, *, rows: int) -> None:
    """`rows` of everything: sessions with answered items and feedback, cards, notes, ..."""
    for n in range(rows):
        question = multiple_choice_question()
        session = PracticeSessionFactory(user=user, mode="quiz")
        item = SessionItemFactory(
            session=session, question=question, response=f"My answer {n}", rating=3
        )
        item.selected_choices.set(question.choices.all()[:1])
        FeedbackCommentFactory(item=item, author=mentor, body=f"Mentor says {n}")
        FeedbackCommentFactory(item=item, author=user, body=f"I reply {n}")
        ReviewCardFactory(user=user, question=question)
        NoteFactory(user=user, question=question, body=f"Note {n}")
        BookmarkFactory(user=user, question=question)
        AssignmentFactory(mentor=mentor, candidate=user, note=f"Do set {n}")
        set_ = QuestionSetFactory(owner=user, visibility=Visibility.PRIVATE)
        QuestionSetItemFactory(question_set=set_, question=question)
        ProblemReport.objects.create(
            question=question, reporter=user, problem="typo", comment=f"Report {n}"
        )


# --- download ---------------------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in(client, db):
    response = client.get(EXPORT)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_profile_page_offers_the_download_and_the_deletion(candidate_client):
    html = candidate_client.get("/accounts/profile/").content.decode()

    assert f'href="{EXPORT}"' in html
    assert f'href="{DELETE}"' in html


def test_the_download_is_a_json_attachment_of_everything_that_is_theirs(
    candidate_client, candidate, mentor, mentorship
):
    give_history(candidate, mentor, rows=1)
    give_history(UserFactory(), mentor, rows=1)  # someone else's: must not appear
    candidate.first_name = "Casey"
    candidate.save()

    response = candidate_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="prep-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["username"] == "casey"
    assert data["profile"]["first_name"] == "Casey"
    assert data["profile"]["email"] == "casey@example.com"
    [session] = data["practice_sessions"]
    [item] = session["items"]
    assert item["response"] == "My answer 0"
    assert item["rating"] == "Good"
    assert len(item["selected_choices"]) == 1
    assert [c["body"] for c in item["feedback"]] == ["Mentor says 0", "I reply 0"]
    assert len(data["review_cards"]) == 1
    assert [n["body"] for n in data["notes"]] == ["Note 0"]
    assert len(data["bookmarks"]) == 1
    assert data["mentorships"] == [
        {
            "mentor": "morgan",
            "candidate": "casey",
            "role": "candidate",
            "created_at": mentorship.created_at.isoformat(),
        }
    ]
    assert [a["note"] for a in data["assignments"]] == ["Do set 0"]
    assert [c["body"] for c in data["feedback_written"]] == ["I reply 0"]
    assert len(data["question_sets"]) == 1
    [report] = data["problem_reports"]
    assert (report["problem"], report["comment"], report["reply"]) == ("A typo", "Report 0", "")
    assert "Mentor says 0" in response.content.decode()
    assert response.content.decode().count("My answer 0") == 1  # not the other user's


def test_a_mentors_download_holds_what_they_gave_and_wrote(mentor_client, mentor, candidate):
    give_history(candidate, mentor, rows=1)

    data = json.loads(mentor_client.get(EXPORT).content)

    assert data["practice_sessions"] == []
    assert [a["candidate"] for a in data["assignments"]] == ["casey"]
    assert [(c["body"], c["on_answer_by"]) for c in data["feedback_written"]] == [
        ("Mentor says 0", "casey")
    ]


def test_the_download_keeps_the_track_the_roles_and_what_is_still_empty(mentor_client, mentor):
    mentor.target_track = TrackFactory(name="Backend")
    mentor.save()
    first, second = QuestionFactory(title="First"), QuestionFactory(title="Second")
    QuestionSetFactory(owner=mentor, title="Empty")
    ordered = QuestionSetFactory(owner=mentor, title="Ordered")
    QuestionSetItemFactory(question_set=ordered, question=second, position=1)
    QuestionSetItemFactory(question_set=ordered, question=first, position=0)
    PracticeSessionFactory(user=mentor)  # started, no question in it
    note = NoteFactory(user=mentor, question=first, body="Say the trade-off")
    bookmarks = [BookmarkFactory(user=mentor, question=q) for q in (second, first)]

    data = json.loads(mentor_client.get(EXPORT).content)

    assert data["profile"]["target_track"] == "Backend"
    assert data["profile"]["roles"] == [MENTORS]
    assert [(s["title"], [q["title"] for q in s["questions"]]) for s in data["question_sets"]] == [
        ("Empty", []),
        ("Ordered", ["First", "Second"]),
    ]
    assert [session["items"] for session in data["practice_sessions"]] == [[]]
    assert data["notes"] == [
        {
            "question": {"slug": first.slug, "title": "First"},
            "body": "Say the trade-off",
            "updated_at": note.updated_at.isoformat(),
        }
    ]
    assert data["bookmarks"] == [
        {
            "question": {"slug": b.question.slug, "title": b.question.title},
            "created_at": b.created_at.isoformat(),
        }
        for b in bookmarks
    ]


@pytest.mark.parametrize("rows", [1, 6])
def test_the_download_takes_the_same_number_of_queries_however_much_there_is(
    candidate_client, candidate, mentor, mentorship, rows, django_assert_num_queries
):
    give_history(candidate, mentor, rows=rows)

    # 1 session, 2 user (login_required: the profile is read from it), 3 target track and
    # roles, 4 practice sessions + sets, 5 their items + questions, 6 selected choices, 7 the
    # questions' choices, 8 feedback received and written (one query, with authors, answers and
    # questions), 9 review cards, 10 notes, 11 bookmarks, 12 mentorships, 13 assignments,
    # 14 question sets with their questions (one join), 15 problem reports with their questions
    with django_assert_num_queries(15):
        response = candidate_client.get(EXPORT)

    assert len(json.loads(response.content)["practice_sessions"]) == rows


# --- deletion ---------------------------------------------------------------------------------


def test_the_deletion_page_asks_for_the_password(candidate_client):
    response = candidate_client.get(DELETE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete your account" in html
    assert 'type="password"' in html
    assert 'autocomplete="current-password"' in html


def test_a_wrong_password_deletes_nothing(candidate_client, candidate, mentor, mentorship):
    give_history(candidate, mentor, rows=2)

    response = candidate_client.post(DELETE, {"password": "not-my-password"})

    assert response.status_code == 200
    assert "That isn&#x27;t your password. Nothing was deleted." in response.content.decode()
    assert User.objects.filter(pk=candidate.pk).exists()
    assert PracticeSession.objects.filter(user=candidate).count() == 2
    assert candidate_client.session["_auth_user_id"] == str(candidate.pk)


def test_an_empty_password_deletes_nothing(candidate_client, candidate):
    response = candidate_client.post(DELETE, {})

    assert response.status_code == 200
    assert User.objects.filter(pk=candidate.pk).exists()


def test_the_right_password_deletes_everything_of_theirs_and_logs_them_out(
    candidate_client, candidate, mentor, mentorship
):
    give_history(candidate, mentor, rows=2)
    other = UserFactory()
    give_history(other, mentor, rows=1)
    public_set = QuestionSetFactory(owner=candidate, visibility=Visibility.PUBLIC)
    used_elsewhere = AssignmentFactory(mentor=mentor, candidate=other, question_set=public_set)

    response = candidate_client.post(DELETE, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain[0] == ("/", 302)
    assert "Your account and everything in it are deleted" in response.content.decode()
    assert "_auth_user_id" not in candidate_client.session
    assert not User.objects.filter(pk=candidate.pk).exists()
    assert not PracticeSession.objects.filter(user_id=candidate.pk).exists()
    assert not SessionItem.objects.filter(session__user_id=candidate.pk).exists()
    # What the mentor wrote on the candidate's answers goes with them.
    assert (
        not FeedbackComment.objects.filter(body__startswith="Mentor says")
        .exclude(item__session__user=other)
        .exists()
    )
    assert not FeedbackComment.objects.filter(author_id=candidate.pk).exists()
    assert not ReviewCard.objects.filter(user_id=candidate.pk).exists()
    assert not Note.objects.filter(user_id=candidate.pk).exists()
    assert not Bookmark.objects.filter(user_id=candidate.pk).exists()
    assert not Mentorship.objects.filter(candidate_id=candidate.pk).exists()
    assert not Assignment.objects.filter(candidate_id=candidate.pk).exists()
    assert not QuestionSet.objects.filter(owner_id=candidate.pk).exists()
    # Everyone else keeps theirs, including a public set the candidate had curated.
    assert User.objects.filter(pk__in=[other.pk, mentor.pk]).count() == 2
    assert PracticeSession.objects.filter(user=other).count() == 1
    assert FeedbackComment.objects.filter(item__session__user=other).count() == 2
    public_set.refresh_from_db()
    assert public_set.owner is None
    assert Assignment.objects.filter(pk=used_elsewhere.pk).exists()


def test_deleting_removes_the_log_in_records_kept_under_their_name(client, candidate):
    from axes.models import AccessAttempt, AccessLog

    client.post("/accounts/login/", {"username": "casey", "password": "wrong"})
    client.post("/accounts/login/", {"username": "casey", "password": PASSWORD})
    assert AccessLog.objects.filter(username="casey").exists()
    Client().post("/accounts/login/", {"username": "casey@example.com", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="casey@example.com").exists()

    client.post(DELETE, {"password": PASSWORD})

    assert not AccessLog.objects.filter(username="casey").exists()
    assert not AccessAttempt.objects.filter(username__in=["casey", "casey@example.com"]).exists()


def test_guessing_the_password_on_the_deletion_form_is_throttled_like_log_ins(
    candidate_client, candidate
):
    responses = [candidate_client.post(DELETE, {"password": f"guess-{n}"}) for n in range(5)]

    assert responses[-1].status_code == 429
    response = candidate_client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 429
    assert User.objects.filter(pk=candidate.pk).exists()


def test_deleting_without_the_csrf_token_is_refused(candidate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)

    response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 403
    assert User.objects.filter(pk=candidate.pk).exists()


def test_a_visitor_cannot_reach_the_deletion_page(client, db):
    assert client.post(DELETE, {"password": PASSWORD})["Location"].startswith("/accounts/login/")
