import datetime

import pytest
from django.utils import timezone

from tests.factories import TrackFactory, UserFactory

pytestmark = pytest.mark.django_db


def profile_data(user, **changes):
    data = {
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "target_track": "",
        "interview_date": "",
        "daily_goal": 10,
        "desired_retention": 0.9,
        "daily_review_limit": 100,
        "time_zone": "UTC",
    }
    data.update(changes)
    return data


def test_the_profile_page_needs_a_login(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_saves_the_profile(candidate_client, candidate):
    track = TrackFactory(slug="backend-web", name="Backend web")
    day = timezone.localdate() + datetime.timedelta(days=30)

    response = candidate_client.post(
        "/accounts/profile/",
        profile_data(
            candidate,
            target_track=track.pk,
            interview_date=day.isoformat(),
            daily_goal=25,
            time_zone="Europe/London",
        ),
    )

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.target_track, candidate.interview_date) == (track, day)
    assert (candidate.daily_goal, candidate.time_zone) == (25, "Europe/London")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("daily_goal", 0, "greater than or equal to 1"),
        ("daily_goal", 1000, "less than or equal to 200"),
        ("daily_goal", "many", "Enter a whole number"),
        ("desired_retention", 0.5, "greater than or equal to 0.7"),
        ("desired_retention", 0.99, "less than or equal to 0.97"),
        ("interview_date", "2001-01-01", "Pick a day from today onwards"),
        ("interview_date", "31/31/2031", "Enter a valid date"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("email", "not-an-address", "Enter a valid email address"),
    ],
)
def test_bad_input_gets_a_message_by_its_field_and_changes_nothing(
    candidate_client, candidate, field, value, message
):
    response = candidate_client.post(
        "/accounts/profile/", profile_data(candidate, first_name="Changed", **{field: value})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "was not saved" in html
    candidate.refresh_from_db()
    assert candidate.first_name == ""


def test_it_refuses_another_accounts_address(candidate_client, candidate):
    UserFactory(email="someone@example.com")

    response = candidate_client.post(
        "/accounts/profile/", profile_data(candidate, email="Someone@example.com")
    )

    assert "already used by another account" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.email == "casey@example.com"
