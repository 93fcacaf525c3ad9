"""Connecting: the signed invite link, accepting it, and ending a mentorship from either side."""

from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.urls import reverse

from accounts.models import Mentorship
from mentoring import services
from tests.factories import PASSWORD, MentorshipFactory, UserFactory


def invite_url(mentor) -> str:
    return reverse("mentoring:invite", args=[services.make_invite_token(mentor)])


def test_the_mentor_page_shows_a_working_invite_link(mentor_client, mentor):
    response = mentor_client.get(reverse("mentoring:home"))

    assert response.status_code == 200
    url = response.context["invite_url"]
    assert url.startswith("http://testserver/invite/")
    assert f'value="{url}"' in response.content.decode()
    assert "data-copy-from" in response.content.decode()
    token = url.rsplit("/invite/", 1)[1].rstrip("/")
    assert services.mentor_from_invite(token) == mentor


def test_the_invite_page_shows_who_invites(candidate_client, mentor):
    mentor.first_name, mentor.last_name = "Morgan", "Mentor"
    mentor.save()

    response = candidate_client.get(invite_url(mentor))

    assert response.status_code == 200
    assert "Morgan Mentor" in response.content.decode()
    assert "Accept" in response.content.decode()
    assert not Mentorship.objects.exists()


def test_accepting_creates_the_mentorship(candidate_client, candidate, mentor):
    response = candidate_client.post(invite_url(mentor))

    assert response.status_code == 302
    assert response.url == reverse("mentoring:assignments")
    assert Mentorship.objects.filter(mentor=mentor, candidate=candidate).count() == 1


def test_a_visitor_is_sent_to_log_in_and_back(client, mentor, candidate):
    url = invite_url(mentor)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert parse_qs(urlsplit(response.url).query)["next"] == [url]
    login = client.post(response.url, {"username": "casey", "password": PASSWORD, "next": url})
    assert login.status_code == 302
    assert login.url == url
    assert "Accept" in client.get(url).content.decode()


def test_a_tampered_link_is_refused(candidate_client, mentor):
    token = services.make_invite_token(mentor)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    for method in ("get", "post"):
        response = getattr(candidate_client, method)(reverse("mentoring:invite", args=[tampered]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not Mentorship.objects.exists()


def test_a_link_signed_for_another_purpose_is_refused(candidate_client, mentor):
    token = signing.TimestampSigner(salt="something-else").sign_object({"mentor": mentor.pk})

    response = candidate_client.post(reverse("mentoring:invite", args=[token]))

    assert response.status_code == 400
    assert not Mentorship.objects.exists()


def test_an_expired_link_is_refused(candidate_client, mentor):
    url = invite_url(mentor)
    later = signing.TimestampSigner().timestamp()
    eight_days = int(timedelta(days=8).total_seconds())

    with mock.patch("time.time", return_value=signing.b62_decode(later) + eight_days):
        response = candidate_client.post(url)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Mentorship.objects.exists()


def test_a_link_still_works_on_the_sixth_day(candidate_client, mentor, candidate):
    url = invite_url(mentor)
    now = signing.b62_decode(signing.TimestampSigner().timestamp())

    with mock.patch("time.time", return_value=now + int(timedelta(days=6).total_seconds())):
        response = candidate_client.post(url)

    assert response.status_code == 302
    assert Mentorship.objects.filter(mentor=mentor, candidate=candidate).exists()


def test_a_mentor_cannot_accept_their_own_invite(mentor_client, mentor):
    response = mentor_client.post(invite_url(mentor))

    assert response.status_code == 400
    assert "your own invite link" in response.content.decode()
    assert not Mentorship.objects.exists()


def test_accepting_twice_changes_nothing(candidate_client, mentor, candidate, mentorship):
    page = candidate_client.get(invite_url(mentor))
    assert "already mentors you" in page.content.decode()
    assert "<button" not in page.content.decode().split("<main", 1)[1].split("</main>")[0]

    response = candidate_client.post(invite_url(mentor))

    assert response.status_code == 400
    assert "already mentors you" in response.content.decode()
    assert Mentorship.objects.count() == 1


def test_a_race_between_two_tabs_stores_one_mentorship(mentor, candidate):
    services.accept_invite(mentor=mentor, candidate=candidate)
    with (
        mock.patch.object(services, "invite_problem", return_value=None),
        pytest.raises(services.MentoringError, match="already mentors you"),
    ):
        services.accept_invite(mentor=mentor, candidate=candidate)
    assert Mentorship.objects.count() == 1


def test_an_invite_from_someone_no_longer_a_mentor_is_refused(candidate_client, mentor):
    url = invite_url(mentor)
    mentor.groups.clear()

    response = candidate_client.post(url)

    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()
    assert not Mentorship.objects.exists()


# --- ending -------------------------------------------------------------------------------------


def test_the_candidate_sees_their_mentors_on_the_profile(candidate_client, mentorship):
    response = candidate_client.get(reverse("profile"))

    content = response.content.decode()
    assert "Your mentors" in content
    assert reverse("mentoring:end_mentorship", args=[mentorship.pk]) in content


def test_a_candidate_without_mentors_sees_how_to_get_one(candidate_client):
    response = candidate_client.get(reverse("profile"))

    assert "No mentor yet" in response.content.decode()


def test_the_candidate_ends_the_mentorship_from_the_profile(candidate_client, mentorship):
    url = reverse("mentoring:end_mentorship", args=[mentorship.pk])

    confirm = candidate_client.get(url)
    assert confirm.status_code == 200
    assert "End your mentorship with" in confirm.content.decode()

    response = candidate_client.post(url)

    assert response.status_code == 302
    assert response.url == reverse("profile")
    assert not Mentorship.objects.exists()


def test_the_mentor_ends_the_mentorship_from_the_mentee_page(mentor_client, mentorship, candidate):
    page = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk]))
    url = reverse("mentoring:end_mentorship", args=[mentorship.pk])
    assert url in page.content.decode()

    response = mentor_client.post(url)

    assert response.status_code == 302
    assert response.url == reverse("mentoring:home")
    assert not Mentorship.objects.exists()
    assert mentor_client.get(page.request["PATH_INFO"]).status_code == 404


def test_nobody_else_can_end_a_mentorship(client, mentorship, other_candidate):
    client.force_login(other_candidate)
    url = reverse("mentoring:end_mentorship", args=[mentorship.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Mentorship.objects.exists()


def test_ending_is_a_post(candidate_client, mentorship):
    response = candidate_client.delete(reverse("mentoring:end_mentorship", args=[mentorship.pk]))

    assert response.status_code == 405
    assert Mentorship.objects.exists()


def test_the_profile_lists_several_mentors_in_one_query(
    candidate_client, candidate, django_assert_num_queries
):
    for _ in range(3):
        MentorshipFactory(candidate=candidate)
    with django_assert_num_queries(7):
        # 1 session, 2 user, 3 the profile's fresh copy of the user, 4 unread feedback
        # (navigation), 5 the user's roles (navigation), 6 tracks for the form, 7 mentorships
        # with mentors
        candidate_client.get(reverse("profile"))


def test_a_new_user_can_be_invited(client, mentor):
    newcomer = UserFactory()
    client.force_login(newcomer)

    client.post(invite_url(mentor))

    assert Mentorship.objects.filter(candidate=newcomer).exists()
