"""The rules around invites and feedback threads that involve a third person: a mentor's other
mentees, a candidate's other mentors, a mentor who is someone's mentee, a deactivated mentor.

Casey is the candidate and Morgan her mentor (tests/conftest.py); Bea (tests/bystander.py) is
another candidate, with threads of her own.
"""

import html
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import Mentorship
from mentoring import services
from mentoring.models import FeedbackComment
from tests.factories import (
    FeedbackCommentFactory,
    MentorFactory,
    MentorshipFactory,
    PracticeSessionFactory,
    QuestionFactory,
    SessionItemFactory,
    UserFactory,
)
from tests.mentoring.helpers import answered_session, assignment_for


def invite_url(mentor) -> str:
    return reverse("mentoring:invite", args=[services.make_invite_token(mentor)])


def thread_url(item) -> str:
    return reverse("mentoring:thread", args=[item.pk])


def summary_url(session) -> str:
    return reverse("practice:summary", args=[session.pk])


def unread(comment) -> bool:
    comment.refresh_from_db()
    return comment.read_at is None


def assigned_answer(mentor, candidate, *, answers=1):
    """An answer `candidate` gave in a finished session of an assignment from `mentor`."""
    return answered_session(assignment_for(mentor, candidate), answers=answers).items.first()


# --- invites -------------------------------------------------------------------------------------


def test_a_mentor_with_a_mentee_can_take_on_a_second(candidate_client, candidate, mentor):
    first = MentorshipFactory(mentor=mentor, candidate=UserFactory(username="bea"))
    url = invite_url(mentor)

    page = candidate_client.get(url)
    response = candidate_client.post(url)

    assert page.status_code == 200 and "already mentors you" not in page.content.decode()
    assert response.status_code == 302
    assert set(Mentorship.objects.filter(mentor=mentor).values_list("candidate", flat=True)) == {
        first.candidate_id,
        candidate.pk,
    }


def test_a_candidate_with_a_mentor_can_take_a_second_mentor(candidate_client, candidate, mentor):
    MentorshipFactory(mentor=MentorFactory(username="max"), candidate=candidate)

    assert services.invite_problem(mentor=mentor, candidate=candidate) is None
    assert candidate_client.post(invite_url(mentor)).status_code == 302

    assert Mentorship.objects.filter(candidate=candidate).count() == 2


def test_a_deactivated_mentors_link_no_longer_works(candidate_client, candidate, mentor):
    url = invite_url(mentor)
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])

    page = candidate_client.get(url)
    response = candidate_client.post(url)

    assert page.status_code == 400 and "no longer valid" in page.content.decode()
    assert response.status_code == 400
    assert not Mentorship.objects.exists()


def test_a_signed_token_that_names_no_mentor_is_refused(mentor):
    signer = signing.TimestampSigner(salt=services.INVITE_SALT)

    for payload in ([mentor.pk], {"mentor": None}, {"someone": mentor.pk}):
        with pytest.raises(services.MentoringError, match="no longer valid"):
            services.mentor_from_invite(signer.sign_object(payload))


OWN_LINK = "This is your own invite link: share it with the candidates you mentor."
EXPIRED = "This invite link has expired (links last 7 days). Ask your mentor for a new one."
NOT_VALID = (
    "This invite link is not valid. Check that you copied all of it, "
    "or ask your mentor for a new one."
)
NOT_A_MENTOR = "This invite link is no longer valid: its sender is not a mentor."


def _refusal(token: str) -> str:
    with pytest.raises(services.MentoringError) as caught:
        services.mentor_from_invite(token)
    return str(caught.value)


def test_each_refused_link_says_why_and_what_to_do(mentor, candidate, client):
    token = services.make_invite_token(mentor)

    assert _refusal(token[:-2]) == NOT_VALID
    assert _refusal("not-a-token") == NOT_VALID
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 8 * 86400):
        assert _refusal(token) == EXPIRED
    mentor.groups.clear()
    assert _refusal(token) == NOT_A_MENTOR
    assert services.invite_problem(mentor=candidate, candidate=candidate) == OWN_LINK
    client.force_login(candidate)
    page = client.get(reverse("mentoring:invite", args=[token[:-2]])).content.decode()
    assert html.escape(NOT_VALID) in page


def test_the_invite_names_its_mentor(mentor):
    assert services.mentor_from_invite(services.make_invite_token(mentor)) == mentor


def test_an_invite_lasts_seven_days(mentor):
    assert services.INVITE_MAX_AGE.days == 7
    expires = services.invite_expires_at() - timezone.now()
    assert abs(expires - services.INVITE_MAX_AGE).total_seconds() < 60


def test_accepting_your_own_or_an_existing_mentors_invite_is_refused(mentor, candidate):
    with pytest.raises(services.MentoringError, match="your own invite"):
        services.accept_invite(mentor=mentor, candidate=mentor)
    services.accept_invite(mentor=mentor, candidate=candidate)
    with pytest.raises(services.MentoringError, match="already mentors you"):
        services.accept_invite(mentor=mentor, candidate=candidate)

    assert Mentorship.objects.count() == 1


# --- who may open a thread -----------------------------------------------------------------------


def test_a_candidate_has_no_thread_on_their_own_private_practice(client, candidate):
    private = PracticeSessionFactory(user=candidate)
    answer = SessionItemFactory(session=private, answered_at=timezone.now())
    client.force_login(candidate)

    assert client.get(thread_url(answer)).status_code == 404
    assert client.post(thread_url(answer), {"body": "Anyone?"}).status_code == 404
    assert not FeedbackComment.objects.exists()


def test_a_mentor_has_no_thread_on_their_own_private_practice(mentor_client, mentor):
    private = PracticeSessionFactory(user=mentor)
    answer = SessionItemFactory(session=private, answered_at=timezone.now())

    assert mentor_client.get(thread_url(answer)).status_code == 404


def test_a_mentor_who_is_also_a_mentee_keeps_their_own_assigned_answers(client, mentor):
    senior = MentorFactory(username="sam", email="sam@example.com")
    MentorshipFactory(mentor=senior, candidate=mentor)
    answer = assigned_answer(senior, mentor)
    FeedbackCommentFactory(item=answer, author=senior, body="Sam: why a set?")
    client.force_login(mentor)

    page = client.get(thread_url(answer))
    reply = client.post(thread_url(answer), {"body": "Morgan: membership tests."})

    assert page.status_code == 200 and "Reply to your mentor" in page.content.decode()
    assert reply.status_code == 302
    assert FeedbackComment.objects.filter(item=answer, author=mentor).exists()
    assert [message.to for message in mail.outbox] == [["sam@example.com"]]


def test_a_candidates_other_mentor_cannot_open_a_thread_that_is_not_theirs(client, candidate):
    morgan, max_ = MentorFactory(), MentorFactory()
    MentorshipFactory(mentor=morgan, candidate=candidate)
    MentorshipFactory(mentor=max_, candidate=candidate)
    answer = assigned_answer(morgan, candidate)
    client.force_login(max_)

    assert client.get(thread_url(answer)).status_code == 404
    assert client.post(thread_url(answer), {"body": "Mine too?"}).status_code == 404


def test_a_mentor_opens_the_thread_on_each_mentees_answers(client, mentor, candidate, bystander):
    MentorshipFactory(mentor=mentor, candidate=candidate)
    bea = bystander([QuestionFactory()], mentor=mentor)
    caseys = assigned_answer(mentor, candidate)
    client.force_login(mentor)

    assert client.get(thread_url(caseys)).status_code == 200
    assert client.get(thread_url(bea.assigned.items.get())).status_code == 200


# --- the reply box on the summary ----------------------------------------------------------------


def test_the_summary_offers_a_reply_while_the_mentorship_stands(client, candidate, mentorship):
    answer = assigned_answer(mentorship.mentor, candidate)
    FeedbackCommentFactory(item=answer, author=mentorship.mentor)

    context = services.feedback_for_summary(
        session=answer.session, items=[answer], reader=candidate
    )

    assert context == {"thread_open": True, "thread_as_mentor": False}


def test_the_reply_box_goes_when_the_mentorship_ends_though_the_mentor_has_others(
    client, candidate, mentor, mentorship, bystander
):
    bystander([QuestionFactory()], mentor=mentor)  # the mentor still mentors Bea
    answer = assigned_answer(mentor, candidate)
    FeedbackCommentFactory(item=answer, author=mentor, body="Look at the edge cases.")
    mentorship.delete()
    client.force_login(candidate)

    html = client.get(summary_url(answer.session)).content.decode()

    assert "Look at the edge cases." in html
    assert "Reply to your mentor" not in html and "the thread is closed" in html
    context = services.feedback_for_summary(
        session=answer.session, items=[answer], reader=candidate
    )
    assert context["thread_open"] is False


def test_the_reply_box_goes_when_the_mentorship_ends_though_the_candidate_has_others(
    client, candidate, mentor, mentorship
):
    MentorshipFactory(mentor=MentorFactory(username="max"), candidate=candidate)
    answer = assigned_answer(mentor, candidate)
    FeedbackCommentFactory(item=answer, author=mentor)
    mentorship.delete()

    context = services.feedback_for_summary(
        session=answer.session, items=[answer], reader=candidate
    )

    assert context["thread_open"] is False


def test_a_summary_of_private_practice_has_no_thread_and_marks_nothing(
    client, candidate, mentorship
):
    answer = assigned_answer(mentorship.mentor, candidate)
    comment = FeedbackCommentFactory(item=answer, author=mentorship.mentor)
    private = PracticeSessionFactory(user=candidate, finished_at=timezone.now())
    SessionItemFactory(session=private, response="A private answer", answered_at=timezone.now())
    client.force_login(candidate)

    html = client.get(summary_url(private)).content.decode()

    assert "A private answer" in html
    assert 'class="thread"' not in html
    assert unread(comment)


# --- reading one thread marks that thread read, and no other -------------------------------------


@pytest.fixture
def two_threads(mentor, candidate, mentorship):
    """Two of Casey's answers, in two assignments, each with a comment from Morgan she has not
    read and a reply of hers Morgan has not read."""
    answers = [assigned_answer(mentor, candidate), assigned_answer(mentor, candidate)]
    return [
        {
            "answer": answer,
            "from_mentor": FeedbackCommentFactory(item=answer, author=mentor),
            "from_candidate": FeedbackCommentFactory(item=answer, author=candidate),
        }
        for answer in answers
    ]


def test_opening_one_thread_leaves_the_other_threads_unread(client, candidate, two_threads):
    opened, other = two_threads
    client.force_login(candidate)

    client.get(thread_url(opened["answer"]))

    assert not unread(opened["from_mentor"])
    assert unread(other["from_mentor"])
    assert unread(opened["from_candidate"])  # hers, for Morgan to read


def test_opening_one_summary_leaves_the_other_sessions_threads_unread(
    client, candidate, two_threads
):
    opened, other = two_threads
    client.force_login(candidate)

    client.get(summary_url(opened["answer"].session))

    assert not unread(opened["from_mentor"])
    assert unread(other["from_mentor"])
    assert unread(opened["from_candidate"])


def test_the_mentor_opening_a_thread_leaves_other_mentees_threads_unread(
    client, mentor, two_threads, bystander
):
    bea = bystander([QuestionFactory()], mentor=mentor)
    opened, other = two_threads
    client.force_login(mentor)

    client.get(thread_url(opened["answer"]))

    assert not unread(opened["from_candidate"])
    assert unread(other["from_candidate"])
    assert bea.unread_comments == 2
    bea.assert_untouched()


def test_opening_one_mentee_page_leaves_other_mentees_replies_unread(
    client, mentor, candidate, two_threads, bystander
):
    bea = bystander([QuestionFactory()], mentor=mentor)
    client.force_login(mentor)

    client.get(reverse("mentoring:mentee", args=[candidate.pk]))

    assert not any(unread(thread["from_candidate"]) for thread in two_threads)
    assert all(unread(thread["from_mentor"]) for thread in two_threads)  # Casey's to read
    bea.assert_untouched()
    client.get(reverse("mentoring:mentee", args=[bea.user.pk]))
    assert bea.unread_comments == 1  # Morgan read Bea's reply; his comment is Bea's to read


def test_the_mentee_page_leaves_the_mentors_own_feedback_as_a_mentee_unread(
    client, mentor, candidate, two_threads
):
    senior = MentorFactory(username="sam")
    MentorshipFactory(mentor=senior, candidate=mentor)
    to_morgan = FeedbackCommentFactory(item=assigned_answer(senior, mentor), author=senior)
    client.force_login(mentor)

    client.get(reverse("mentoring:mentee", args=[candidate.pk]))

    assert unread(to_morgan)


def test_mark_read_marks_only_what_the_other_side_wrote(mentor, candidate, two_threads):
    comments = FeedbackComment.objects.filter(item=two_threads[0]["answer"])

    assert comments.mark_read_by(candidate) == 1
    assert comments.mark_read_by(candidate) == 0

    assert not unread(two_threads[0]["from_mentor"])
    assert unread(two_threads[0]["from_candidate"])
    assert unread(two_threads[1]["from_mentor"])


# --- e-mails -------------------------------------------------------------------------------------


def test_a_reply_emails_the_mentor_and_a_comment_emails_the_candidate(mentor, candidate):
    MentorshipFactory(mentor=mentor, candidate=candidate)
    answer = assigned_answer(mentor, candidate)

    services.post_comment(item=answer, author=mentor, body="Why?", thread_url="http://x/t")
    services.post_comment(item=answer, author=candidate, body="Because.", thread_url="http://x/t")

    assert [message.to for message in mail.outbox] == [[candidate.email], [mentor.email]]
    assert mail.outbox[0].body.startswith(f"Hello {candidate},")
    assert mail.outbox[1].body.startswith(f"Hello {mentor},")
    assert all("http://x/t" in message.body for message in mail.outbox)
    title = answer.question.title
    assert mail.outbox[0].subject == f"{mentor} commented on “{title}”"
    assert mail.outbox[1].subject == f"{candidate} commented on “{title}”"
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_the_comment_is_kept_and_its_email_queued_even_when_it_cannot_be_sent(
    mentor, candidate, task_queue, settings
):
    MentorshipFactory(mentor=mentor, candidate=candidate)
    answer = assigned_answer(mentor, candidate)
    settings.EMAIL_BACKEND = "tests.mentoring.test_feedback.RefusingBackend"

    comment = services.post_comment(item=answer, author=mentor, body="Hi", thread_url="http://x")
    task_queue.run()

    assert FeedbackComment.objects.filter(pk=comment.pk).exists()
    (queued,) = task_queue.tasks("email_new_comment")
    assert queued.args_kwargs["kwargs"] == {"comment_id": comment.pk, "thread_url": "http://x"}
    assert queued.state == "Waiting to retry (attempt 2 of 6)"


def test_no_email_goes_to_someone_without_an_address(mentor, candidate):
    MentorshipFactory(mentor=mentor, candidate=candidate)
    answer = assigned_answer(mentor, candidate)
    candidate.email = ""
    candidate.save(update_fields=["email"])
    answer.session.user.email = ""

    comment = services.post_comment(item=answer, author=mentor, body="Hi", thread_url="http://x")

    assert comment.pk and comment.author == mentor and comment.item == answer
    assert mail.outbox == []
