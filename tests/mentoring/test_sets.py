"""The question-set builder at /mentor/sets/: plain forms and htmx."""

import pytest
from django.urls import reverse

from mentoring import services
from questions.models import QuestionSet, QuestionSetItem, Status
from tests.factories import (
    AssignmentFactory,
    MentorFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
)
from tests.mentoring.helpers import private_set


@pytest.fixture
def question_set(mentor):
    return QuestionSetFactory(owner=mentor, visibility="private", title="ORM basics")


def items_of(question_set) -> list[int]:
    return list(
        QuestionSetItem.objects.filter(question_set=question_set)
        .order_by("position", "pk")
        .values_list("question_id", flat=True)
    )


# --- creating and editing -----------------------------------------------------------------------


def test_a_mentor_creates_a_private_set(mentor_client, mentor):
    response = mentor_client.post(
        reverse("mentoring:sets"), {"title": "Django ORM", "description": "Before Friday."}
    )

    question_set = QuestionSet.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mentoring:set_detail", args=[question_set.pk])
    assert question_set.owner == mentor
    assert question_set.visibility == "private"
    assert question_set.slug == "django-orm"
    assert question_set.description == "Before Friday."


def test_a_title_is_required(mentor_client):
    response = mentor_client.post(reverse("mentoring:sets"), {"title": "  ", "description": ""})

    assert response.status_code == 200
    assert "Give the set a title." in response.content.decode()
    assert not QuestionSet.objects.exists()


def test_slugs_stay_unique(mentor, editor):
    QuestionSetFactory(slug="django-orm", owner=editor)
    QuestionSetFactory(slug="django-orm-2", owner=editor)

    question_set = services.save_question_set(owner=mentor, title="Django ORM", description="")

    assert question_set.slug == "django-orm-3"


def test_a_title_without_letters_still_gets_a_slug(mentor):
    first = services.save_question_set(owner=mentor, title="???", description="")
    second = services.save_question_set(owner=mentor, title="!!!", description="")

    assert first.slug == "set"
    assert second.slug == "set-2"


def test_the_sets_page_lists_only_the_mentors_sets(mentor_client, question_set):
    QuestionSetFactory(owner=MentorFactory(), title="Someone else's set")
    QuestionSetItemFactory(question_set=question_set)

    response = mentor_client.get(reverse("mentoring:sets"))

    content = response.content.decode()
    assert "ORM basics" in content
    assert "1 question" in content
    assert "Someone else" not in content


def test_the_sets_page_has_an_empty_state(mentor_client):
    response = mentor_client.get(reverse("mentoring:sets"))

    assert "No sets yet" in response.content.decode()


def test_editing_the_details_renames_the_set_and_its_slug(mentor_client, question_set):
    url = reverse("mentoring:set_detail", args=[question_set.pk])

    response = mentor_client.post(url, {"title": "ORM in depth", "description": "More."})

    assert response.status_code == 302
    question_set.refresh_from_db()
    assert question_set.title == "ORM in depth"
    assert question_set.slug == "orm-in-depth"


def test_editing_the_details_with_htmx_returns_the_fragment(
    mentor_client, question_set, htmx_headers
):
    url = reverse("mentoring:set_detail", args=[question_set.pk])

    response = mentor_client.post(
        url, {"title": "Renamed", "description": ""}, headers=htmx_headers
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="set-details"' in content
    assert "Saved." in content
    assert 'data-hx-swap-oob="true"' in content  # the page's title follows
    assert "<html" not in content


def test_bad_details_show_a_message_and_change_nothing(mentor_client, question_set, htmx_headers):
    url = reverse("mentoring:set_detail", args=[question_set.pk])

    plain = mentor_client.post(url, {"title": "", "description": ""})
    htmx = mentor_client.post(url, {"title": "x" * 201, "description": ""}, headers=htmx_headers)

    assert plain.status_code == 200
    assert "Give the set a title." in plain.content.decode()
    assert "at most 200 characters" in htmx.content.decode()
    question_set.refresh_from_db()
    assert question_set.title == "ORM basics"


def test_another_mentors_set_is_a_404(client, question_set):
    client.force_login(MentorFactory())
    question = QuestionFactory()
    item = QuestionSetItemFactory(question_set=question_set)
    urls = [
        ("get", reverse("mentoring:set_detail", args=[question_set.pk]), {}),
        ("post", reverse("mentoring:set_detail", args=[question_set.pk]), {"title": "Mine"}),
        ("get", reverse("mentoring:set_search", args=[question_set.pk]) + "?q=q", {}),
        ("post", reverse("mentoring:set_add", args=[question_set.pk]), {"question": question.pk}),
        ("post", reverse("mentoring:set_remove", args=[question_set.pk, item.pk]), {}),
        (
            "post",
            reverse("mentoring:set_move", args=[question_set.pk, item.pk]),
            {"direction": "down"},
        ),
        ("post", reverse("mentoring:set_delete", args=[question_set.pk]), {}),
    ]
    for method, url, data in urls:
        assert getattr(client, method)(url, data).status_code == 404, url
    question_set.refresh_from_db()
    assert question_set.title == "ORM basics"
    assert items_of(question_set) == [item.question_id]


def test_an_item_of_another_set_is_a_404(mentor_client, question_set, mentor):
    other_item = QuestionSetItemFactory(question_set=private_set(MentorFactory()))

    url = reverse("mentoring:set_remove", args=[question_set.pk, other_item.pk])

    assert mentor_client.post(url).status_code == 404
    assert QuestionSetItem.objects.filter(pk=other_item.pk).exists()


def test_a_candidate_cannot_build_sets(candidate_client, question_set):
    assert candidate_client.get(reverse("mentoring:sets")).status_code == 403
    response = candidate_client.post(reverse("mentoring:sets"), {"title": "Mine"})
    assert response.status_code == 403
    assert QuestionSet.objects.count() == 1


# --- searching ----------------------------------------------------------------------------------


def test_the_search_finds_published_questions_only(mentor_client, question_set, htmx_headers):
    QuestionFactory(title="Decorators with arguments")
    QuestionFactory(title="Decorators in draft", status=Status.DRAFT)
    url = reverse("mentoring:set_search", args=[question_set.pk])

    response = mentor_client.get(url, {"q": "decorators"}, headers=htmx_headers)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Decorators with arguments" in content
    assert "in draft" not in content
    assert '<div id="set-status" data-hx-swap-oob="innerHTML">1 result.</div>' in content
    assert "<html" not in content


def test_the_search_works_without_javascript(mentor_client, question_set):
    QuestionFactory(title="Decorators with arguments")
    url = reverse("mentoring:set_search", args=[question_set.pk])

    response = mentor_client.get(url, {"q": "decorators"})

    content = response.content.decode()
    assert "<html" in content
    assert "Decorators with arguments" in content
    assert 'value="decorators"' in content


def test_a_history_restore_gets_the_whole_page(mentor_client, question_set, htmx_headers):
    url = reverse("mentoring:set_search", args=[question_set.pk])

    response = mentor_client.get(
        url, {"q": "x"}, headers={**htmx_headers, "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()


def test_the_search_marks_questions_already_in_the_set(mentor_client, question_set, htmx_headers):
    question = QuestionFactory(title="Generators and yield")
    QuestionSetItemFactory(question_set=question_set, question=question)

    response = mentor_client.get(
        reverse("mentoring:set_search", args=[question_set.pk]),
        {"q": "generators"},
        headers=htmx_headers,
    )

    assert "In this set" in response.content.decode()


def test_an_empty_search_explains_itself(mentor_client, question_set, htmx_headers):
    url = reverse("mentoring:set_search", args=[question_set.pk])

    empty = mentor_client.get(url, {"q": ""}, headers=htmx_headers)
    nothing = mentor_client.get(url, {"q": "zzzz"}, headers=htmx_headers)
    too_long = mentor_client.get(url, {"q": "x" * 101}, headers=htmx_headers)

    assert "Type a word" in empty.content.decode()
    assert "No published question matches" in nothing.content.decode()
    assert too_long.status_code == 200


# --- adding, removing, moving -------------------------------------------------------------------


def test_adding_with_a_plain_form_redirects_back_to_the_search(mentor_client, question_set):
    question = QuestionFactory(title="The GIL")
    url = reverse("mentoring:set_add", args=[question_set.pk])

    response = mentor_client.post(url, {"question": question.pk, "q": "gil"})

    assert response.status_code == 302
    assert response.url == (
        reverse("mentoring:set_search", args=[question_set.pk]) + "?q=gil#set-items"
    )
    assert items_of(question_set) == [question.pk]


def test_adding_with_htmx_returns_the_items_and_refreshed_results(
    mentor_client, question_set, htmx_headers
):
    question = QuestionFactory(title="The GIL")
    url = reverse("mentoring:set_add", args=[question_set.pk])

    response = mentor_client.post(url, {"question": question.pk, "q": "gil"}, headers=htmx_headers)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="set-items"' in content
    assert "1. The GIL" in content
    assert '<div id="search-results" data-hx-swap-oob="innerHTML">' in content
    assert "In this set" in content
    assert "Added “The GIL”." in content
    assert items_of(question_set) == [question.pk]


def test_questions_are_appended_in_order(question_set):
    first, second = QuestionFactory(), QuestionFactory()

    services.add_question_to_set(question_set=question_set, question=first)
    services.add_question_to_set(question_set=question_set, question=second)

    assert items_of(question_set) == [first.pk, second.pk]


@pytest.mark.parametrize(
    ("question_kwargs", "message"),
    [
        ({"status": Status.DRAFT}, "not in the published bank"),
        ({"status": Status.IN_REVIEW}, "not in the published bank"),
    ],
)
def test_only_published_questions_can_be_added(
    mentor_client, question_set, htmx_headers, question_kwargs, message
):
    question = QuestionFactory(**question_kwargs)
    url = reverse("mentoring:set_add", args=[question_set.pk])

    response = mentor_client.post(url, {"question": question.pk}, headers=htmx_headers)

    assert message in response.content.decode()
    assert items_of(question_set) == []


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_bad_question_ids_are_refused(mentor_client, question_set, value):
    url = reverse("mentoring:set_add", args=[question_set.pk])

    response = mentor_client.post(url, {"question": value}, follow=True)

    assert response.status_code == 200
    assert items_of(question_set) == []
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_adding_twice_keeps_one(mentor_client, question_set, htmx_headers):
    question = QuestionFactory(title="Decorators")
    QuestionSetItemFactory(question_set=question_set, question=question)
    url = reverse("mentoring:set_add", args=[question_set.pk])

    response = mentor_client.post(url, {"question": question.pk}, headers=htmx_headers)

    assert "already in this set" in response.content.decode()
    assert items_of(question_set) == [question.pk]


def test_a_set_holds_at_most_fifty_questions(question_set):
    for position in range(services.MAX_SET_SIZE):
        QuestionSetItemFactory(question_set=question_set, position=position)

    with pytest.raises(services.MentoringError, match="at most 50"):
        services.add_question_to_set(question_set=question_set, question=QuestionFactory())
    assert QuestionSetItem.objects.filter(question_set=question_set).count() == 50


def test_removing_a_question(mentor_client, question_set, htmx_headers):
    keep, drop = (QuestionSetItemFactory(question_set=question_set) for _ in range(2))
    url = reverse("mentoring:set_remove", args=[question_set.pk, drop.pk])

    response = mentor_client.post(url, headers=htmx_headers)

    assert response.status_code == 200
    assert f"Removed “{drop.question.title}”." in response.content.decode()
    assert items_of(question_set) == [keep.question_id]


def test_removing_without_javascript_redirects(mentor_client, question_set):
    item = QuestionSetItemFactory(question_set=question_set)

    response = mentor_client.post(reverse("mentoring:set_remove", args=[question_set.pk, item.pk]))

    assert response.status_code == 302
    assert response.url == reverse("mentoring:set_detail", args=[question_set.pk]) + "#set-items"
    assert items_of(question_set) == []


def test_moving_questions_up_and_down(mentor_client, question_set, htmx_headers):
    a, b, c = (QuestionSetItemFactory(question_set=question_set, position=0) for _ in range(3))

    mentor_client.post(
        reverse("mentoring:set_move", args=[question_set.pk, c.pk]),
        {"direction": "up"},
        headers=htmx_headers,
    )
    assert items_of(question_set) == [a.question_id, c.question_id, b.question_id]

    response = mentor_client.post(
        reverse("mentoring:set_move", args=[question_set.pk, a.pk]), {"direction": "down"}
    )
    assert response.status_code == 302
    assert items_of(question_set) == [c.question_id, a.question_id, b.question_id]


def test_moving_past_the_ends_changes_nothing(mentor_client, question_set, htmx_headers):
    first, last = (QuestionSetItemFactory(question_set=question_set) for _ in range(2))
    up = reverse("mentoring:set_move", args=[question_set.pk, first.pk])
    down = reverse("mentoring:set_move", args=[question_set.pk, last.pk])

    top = mentor_client.post(up, {"direction": "up"}, headers=htmx_headers)
    bottom = mentor_client.post(down, {"direction": "down"}, headers=htmx_headers)
    sideways = mentor_client.post(up, {"direction": "left"}, headers=htmx_headers)

    assert "already first" in top.content.decode()
    assert "already last" in bottom.content.decode()
    assert "Move a question up or down." in sideways.content.decode()
    assert items_of(question_set) == [first.question_id, last.question_id]


def test_the_builder_page_renders_with_its_parts(mentor_client, question_set):
    QuestionSetItemFactory(question_set=question_set)

    response = mentor_client.get(reverse("mentoring:set_detail", args=[question_set.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="set-items"' in content
    assert 'id="set-search-q"' in content
    assert 'data-hx-trigger="input changed delay:300ms, search"' in content
    assert "js/mentoring.js" in content


def test_the_builder_costs_the_same_with_few_or_many_questions(
    mentor_client, question_set, django_assert_num_queries
):
    url = reverse("mentoring:set_detail", args=[question_set.pk])

    def count_for(n):
        QuestionSetItem.objects.filter(question_set=question_set).delete()
        for position in range(n):
            QuestionSetItemFactory(question_set=question_set, position=position)
        # 1 session, 2 user, 3 its roles (the mentor check), 4 the set, 5 its items with
        # questions and topics, 6 unread feedback (navigation)
        with django_assert_num_queries(6):
            assert mentor_client.get(url).status_code == 200

    count_for(2)
    count_for(50)


# --- deleting -----------------------------------------------------------------------------------


def test_an_unassigned_set_can_be_deleted(mentor_client, question_set):
    response = mentor_client.post(reverse("mentoring:set_delete", args=[question_set.pk]))

    assert response.status_code == 302
    assert not QuestionSet.objects.exists()


def test_an_assigned_set_stays(mentor_client, question_set, mentor):
    AssignmentFactory(mentor=mentor, question_set=question_set)

    response = mentor_client.post(
        reverse("mentoring:set_delete", args=[question_set.pk]), follow=True
    )

    assert "stays" in response.content.decode()
    assert QuestionSet.objects.filter(pk=question_set.pk).exists()


def test_the_sets_page_costs_the_same_with_2_or_50_sets(
    mentor_client, mentor, django_assert_num_queries
):
    url = reverse("mentoring:sets")
    for n, total in ((2, 2), (48, 50)):
        for _ in range(n):
            question_set = private_set(mentor, questions=2)
            AssignmentFactory(mentor=mentor, question_set=question_set)
        # 1 session, 2 user, 3 its roles (the mentor check), 4 unread feedback (navigation),
        # 5 the sets with question and assignment counts
        with django_assert_num_queries(5):
            response = mentor_client.get(url)
        assert len(response.context["question_sets"]) == total


def test_an_htmx_change_costs_the_same_with_few_or_many_questions(
    mentor_client, question_set, htmx_headers, django_assert_num_queries
):
    for n in (2, 40):
        QuestionSetItem.objects.filter(question_set=question_set).delete()
        items = [QuestionSetItemFactory(question_set=question_set, position=i) for i in range(n)]
        url = reverse("mentoring:set_move", args=[question_set.pk, items[-1].pk])
        # 1 session, 2 user, 3 its roles (the mentor check), 4 the set, 5 the item, 6 savepoint,
        # 7 lock the set, 8 the items, 9 renumber them, 10 release, 11 the items to show
        with django_assert_num_queries(11):
            mentor_client.post(url, {"direction": "up"}, headers=htmx_headers)
