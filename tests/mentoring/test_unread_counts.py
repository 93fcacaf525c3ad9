"""The unread-feedback counts behind the navigation badges."""

from typing import cast

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentoring.models import FeedbackComment
from mentoring.unread import unread_feedback_for
from tests.factories import (
    AssignmentFactory,
    FeedbackCommentFactory,
    MentorFactory,
    MentorshipFactory,
    PracticeSessionFactory,
    SessionItemFactory,
)


def _assigned_item(mentor, candidate):
    assignment = AssignmentFactory(mentor=mentor, candidate=candidate)
    session = PracticeSessionFactory(user=candidate, assignment=assignment)
    return SessionItemFactory(session=session, answered_at=timezone.now())


def test_it_counts_the_mentors_comments_for_the_candidate(mentorship, mentor, candidate):
    item = _assigned_item(mentor, candidate)
    FeedbackCommentFactory(item=item, author=mentor)
    FeedbackCommentFactory(item=item, author=mentor, read_at=timezone.now())
    FeedbackCommentFactory(item=item, author=candidate)

    assert unread_feedback_for(candidate).as_candidate == 1
    assert unread_feedback_for(candidate).as_mentor == 0
    assert unread_feedback_for(mentor).as_mentor == 1
    assert unread_feedback_for(mentor).as_candidate == 0


def test_it_forgets_a_mentors_threads_once_the_mentorship_ends(mentorship, mentor, candidate):
    item = _assigned_item(mentor, candidate)
    FeedbackCommentFactory(item=item, author=candidate)
    mentorship.delete()

    assert unread_feedback_for(mentor).total == 0


def test_it_ignores_other_peoples_threads(mentor, candidate, other_candidate):
    MentorshipFactory(mentor=mentor, candidate=other_candidate)
    item = _assigned_item(mentor, other_candidate)
    FeedbackCommentFactory(item=item, author=mentor)

    assert unread_feedback_for(candidate).total == 0


def test_a_second_mentor_neither_sees_nor_counts_the_first_mentors_threads(
    mentorship, mentor, candidate
):
    second = cast(User, MentorFactory())  # (factory_boy's classes are not generic)
    MentorshipFactory(mentor=second, candidate=candidate)
    first_mentors_item = _assigned_item(mentor, candidate)
    reply = cast(FeedbackComment, FeedbackCommentFactory(item=first_mentors_item, author=candidate))
    seconds_item = _assigned_item(second, candidate)
    FeedbackCommentFactory(item=seconds_item, author=candidate)

    assert reply not in FeedbackComment.objects.visible_to(second)
    assert unread_feedback_for(second).as_mentor == 1
    assert unread_feedback_for(mentor).as_mentor == 1
    assert FeedbackComment.objects.all().mark_read_by(second) == 1
    assert FeedbackComment.objects.get(pk=reply.pk).read_at is None


def test_the_navigation_costs_one_query(candidate_client, django_assert_num_queries, candidate):
    from mentoring.context_processors import feedback

    request = type("R", (), {"user": candidate})()
    context = feedback(request)
    with django_assert_num_queries(1):
        assert context["feedback_unread"].as_candidate == 0
        assert context["feedback_unread"].as_mentor == 0


# --- the badges follow every change at once ---------------------------------------------------


def _badge(client) -> str:
    """The candidate's badge on the Assignments link of a full page."""
    page = client.get(reverse("questions:sets")).content.decode()
    link = f'href="{reverse("mentoring:assignments")}"'
    return page.split(link, 1)[1].split("</a>", 1)[0]


def test_a_new_comment_shows_at_once(mentorship, mentor, candidate, client):
    item = _assigned_item(mentor, candidate)
    client.force_login(candidate)
    assert "nav-badge" not in _badge(client)

    client.force_login(mentor)
    client.post(reverse("mentoring:thread", args=[item.pk]), {"body": "Mind the edge cases."})
    assert FeedbackComment.objects.count() == 1

    client.force_login(candidate)
    assert ">1<" in _badge(client)


def test_reading_the_thread_clears_the_badge_at_once(mentorship, mentor, candidate, client):
    item = _assigned_item(mentor, candidate)
    FeedbackCommentFactory(item=item, author=mentor)
    client.force_login(candidate)
    assert ">1<" in _badge(client)

    client.get(reverse("mentoring:thread", args=[item.pk]))

    assert "nav-badge" not in _badge(client)


@pytest.mark.parametrize("removed", ["mentorship", "assignment", "comment"])
def test_a_removal_updates_the_mentors_count(mentorship, mentor, candidate, removed):
    item = _assigned_item(mentor, candidate)
    comment = FeedbackCommentFactory(item=item, author=candidate)
    assert unread_feedback_for(mentor).as_mentor == 1

    {
        "mentorship": mentorship,
        "assignment": item.session.assignment,
        "comment": comment,
    }[removed].delete()

    assert unread_feedback_for(mentor).as_mentor == 0
