"""Bookmarks and private notes on each question; bookmarked questions practised as a set."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from practice.models import Bookmark, Mode, Note, PracticeSession
from tests.factories import BookmarkFactory, NoteFactory, QuestionFactory


@pytest.fixture
def question(bank):
    return bank["concepts"][0]


def _bookmark(client, question, state, **kwargs):
    url = reverse("practice:bookmark", args=[question.slug])
    return client.post(url, {"bookmarked": state, "next": f"/questions/{question.slug}/"}, **kwargs)


def test_the_question_page_shows_the_tools_to_a_candidate(candidate_client, candidate, question):
    NoteFactory(user=candidate, question=question, body="Mention the GIL")
    html = candidate_client.get(question.get_absolute_url()).content.decode()
    assert 'aria-pressed="false"' in html and "Bookmark" in html
    assert "My notes" in html and "Mention the GIL" in html


def test_visitors_see_no_tools(client, question):
    html = client.get(question.get_absolute_url()).content.decode()
    assert "My notes" not in html and "aria-pressed" not in html


@pytest.mark.parametrize("has_own", [False, True])
def test_the_tools_cost_one_query_whatever_the_user_has(
    candidate, bank, django_assert_num_queries, has_own
):
    question, *others = bank["concepts"]
    for other in others:
        BookmarkFactory(user=candidate, question=other)
        NoteFactory(user=candidate, question=other, body="about another question")
    if has_own:
        BookmarkFactory(user=candidate, question=question)
        NoteFactory(user=candidate, question=question, body="my own words")
    request = RequestFactory().get("/")
    request.user = candidate
    template = Template("{% load practice_tags %}{% question_tools question %}")
    # 1 the question's bookmark (EXISTS) and note (subquery) for this user.
    with django_assert_num_queries(1):
        html = template.render(Context({"request": request, "question": question}))
    assert ('aria-pressed="true"' in html) is has_own
    assert ("my own words" in html) is has_own
    assert "about another question" not in html


def test_bookmarking_without_javascript(candidate_client, candidate, question):
    response = _bookmark(candidate_client, question, "1")
    assert response.status_code == 302 and response["Location"] == f"/questions/{question.slug}/"
    assert Bookmark.objects.filter(user=candidate, question=question).exists()
    html = candidate_client.get(question.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in html and "Bookmarked" in html
    _bookmark(candidate_client, question, "0")
    assert not Bookmark.objects.exists()


def test_bookmarking_with_htmx_swaps_the_button(
    candidate_client, candidate, question, htmx_headers
):
    response = _bookmark(candidate_client, question, "1", headers=htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith("<form") and 'aria-pressed="true"' in html
    assert 'name="bookmarked" value="0"' in html


def test_a_double_bookmark_post_keeps_one_bookmark(candidate_client, candidate, question):
    _bookmark(candidate_client, question, "1")
    _bookmark(candidate_client, question, "1")
    assert Bookmark.objects.filter(user=candidate).count() == 1


def test_an_outside_next_address_is_ignored(candidate_client, question):
    url = reverse("practice:bookmark", args=[question.slug])
    response = candidate_client.post(url, {"bookmarked": "1", "next": "https://evil.example/"})
    assert response["Location"] == question.get_absolute_url()


def test_drafts_cannot_be_bookmarked(candidate_client, bank):
    assert _bookmark(candidate_client, bank["draft"][0], "1").status_code == 404


def test_saving_a_note_without_javascript(candidate_client, candidate, question):
    url = reverse("practice:note", args=[question.slug])
    response = candidate_client.post(url, {"body": "  Use a context manager.  "})
    assert response["Location"] == question.get_absolute_url()
    assert Note.objects.get(user=candidate, question=question).body == "Use a context manager."
    candidate_client.post(url, {"body": ""})
    assert not Note.objects.exists()


def test_saving_a_note_with_htmx(candidate_client, candidate, question, htmx_headers):
    url = reverse("practice:note", args=[question.slug])
    response = candidate_client.post(url, {"body": "Private thought"}, headers=htmx_headers)
    html = response.content.decode()
    assert "Note saved." in html and "Private thought" in html
    assert 'aria-live="polite"' in html


def test_an_overlong_note_is_refused_with_a_message(candidate_client, question, htmx_headers):
    url = reverse("practice:note", args=[question.slug])
    response = candidate_client.post(url, {"body": "x" * 20_001})
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()
    response = candidate_client.post(url, {"body": "x" * 20_001}, headers=htmx_headers)
    assert "at most 20000 characters" in response.content.decode()
    assert not Note.objects.exists()


def test_notes_are_private(client, candidate, other_candidate, question):
    NoteFactory(user=candidate, question=question, body="Casey's secret")
    client.force_login(other_candidate)
    assert "Casey&#x27;s secret" not in client.get(question.get_absolute_url()).content.decode()
    assert "secret" not in client.get(reverse("practice:bookmarks")).content.decode()


def test_the_bookmarks_page_lists_bookmarks_and_notes(candidate_client, candidate, bank):
    BookmarkFactory(user=candidate, question=bank["concepts"][0])
    NoteFactory(user=candidate, question=bank["concepts"][1], body="Remember <this>")
    html = candidate_client.get(reverse("practice:bookmarks")).content.decode()
    assert bank["concepts"][0].title in html
    assert "Remember &lt;this&gt;" in html
    assert "Practise bookmarked questions" in html


def test_the_bookmarks_page_has_empty_states(candidate_client):
    html = candidate_client.get(reverse("practice:bookmarks")).content.decode()
    assert "No bookmarks yet" in html and "No notes yet" in html


@pytest.mark.parametrize("count", [2, 30])
def test_the_bookmarks_page_queries_do_not_grow(
    client, candidate, count, django_assert_num_queries
):
    for question in QuestionFactory.create_batch(count):
        BookmarkFactory(user=candidate, question=question)
        NoteFactory(user=candidate, question=question)
    client.force_login(candidate)
    # 1 session, 2 user, 3 unread feedback, 4 the user's roles (navigation), 5 bookmarks,
    # 6 notes.
    with django_assert_num_queries(6):
        client.get(reverse("practice:bookmarks"))


def test_practising_bookmarks_starts_a_study_session(candidate_client, candidate, bank):
    BookmarkFactory(user=candidate, question=bank["concepts"][0])
    BookmarkFactory(user=candidate, question=bank["concepts"][1])
    BookmarkFactory(user=candidate, question=bank["draft"][0])
    response = candidate_client.post(reverse("practice:practise_bookmarks"))
    session = PracticeSession.objects.get(user=candidate)
    assert response["Location"] == reverse("practice:session", args=[session.pk])
    assert session.mode == Mode.STUDY
    assert list(session.items.values_list("question_id", flat=True)) == [
        bank["concepts"][1].pk,
        bank["concepts"][0].pk,
    ]


def test_practising_no_bookmarks_explains_why(candidate_client):
    response = candidate_client.post(reverse("practice:practise_bookmarks"), follow=True)
    assert "no bookmarked questions yet" in response.content.decode()
    assert not PracticeSession.objects.exists()
