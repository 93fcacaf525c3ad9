"""The editors' admin: who gets in, the question list, bulk actions, preview, validation,
history and revert, and the other bank models (import and export: test_bank_import_admin.py)."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin as django_admin
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from questions.models import Choice, Kind, Question, QuestionSet, Status
from tests.factories import (
    QuestionFactory,
    QuestionSetFactory,
    TagFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
    multiple_choice_question,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:questions_question_changelist")
ADD = reverse("admin:questions_question_add")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(form) -> dict:
    """What a browser would post back for an unchanged admin form."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value if not hasattr(field, "queryset") else str(value)
    return data


def question_post(topic, **overrides) -> dict:
    """A complete add-question form with empty choices and tests formsets."""
    data = {
        "title": "Lists versus tuples",
        "slug": "lists-versus-tuples",
        "kind": Kind.CONCEPT,
        "difficulty": "easy",
        "status": Status.DRAFT,
        "topic": str(topic.pk),
        "prompt": "What is the **difference**?",
        "answer": "Mutability.",
        "key_points": "Mutability\nHashability",
        "hints": "",
        "starter_code": "",
        "solution_code": "",
        "time_limit": "5",
        "runs_in_browser": "on",
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        "tests-TOTAL_FORMS": "0",
        "tests-INITIAL_FORMS": "0",
        "tests-MIN_NUM_FORMS": "0",
        "tests-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def with_choices(data: dict, choices: list[tuple[str, bool]]) -> dict:
    data = {**data, "choices-TOTAL_FORMS": str(len(choices))}
    for index, (text, correct) in enumerate(choices):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-explanation"] = f"Why {text} is {'right' if correct else 'wrong'}."
        data[f"choices-{index}-position"] = str(index)
        if correct:
            data[f"choices-{index}-is_correct"] = "on"
    return data


# --- who gets in ---------------------------------------------------------------------------------


def test_an_editor_reaches_the_admin_and_sees_the_prep_header(editor_client):
    response = editor_client.get("/admin/")

    assert response.status_code == 200
    assert b"Prep admin" in response.content
    assert b"Questions" in response.content


@pytest.mark.parametrize("persona", ["candidate", "mentor", "staff_without_role"])
def test_everyone_else_is_sent_to_the_admin_login(client, persona, candidate, mentor):
    user = {
        "candidate": candidate,
        "mentor": mentor,
        "staff_without_role": UserFactory(is_staff=True),
    }[persona]
    client.force_login(user)

    for url in ("/admin/", CHANGELIST, reverse("admin:questions_question_import")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    login_page = client.get("/admin/", follow=True)
    assert b"not authorized to access this page" in login_page.content


def test_a_visitor_is_sent_to_the_admin_login(client):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_superuser_reaches_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(CHANGELIST).status_code == 200


# --- the question list ---------------------------------------------------------------------------


def test_the_question_list_shows_the_columns_and_filters(editor_client):
    # Django shows a related filter once there are two things to choose from.
    tracks = [TrackFactory(name="Backend web"), TrackFactory(name="Data engineering")]
    tags = [TagFactory(slug="orm", name="orm"), TagFactory(slug="gil", name="gil")]
    QuestionFactory(title="Lists versus tuples", topic=TopicFactory(name="Fundamentals"))
    QuestionFactory(tracks=tracks, tags=tags)

    html = editor_client.get(CHANGELIST).content.decode()

    for column in ("Title", "Topic", "Kind", "Difficulty", "Status", "Updated at", "Preview"):
        assert column in html
    for heading in ("By status", "By kind", "By difficulty", "By topic", "By tracks", "By tags"):
        assert heading in html
    assert "Lists versus tuples" in html and "Fundamentals" in html
    assert "Import bank files" in html  # the rest: test_bank_import_admin.py


def test_the_question_list_searches_title_and_text(editor_client):
    QuestionFactory(title="Lists versus tuples")
    QuestionFactory(title="The GIL", prompt="When does the global interpreter lock matter?")

    by_title = editor_client.get(CHANGELIST, {"q": "tuples"})
    by_text = editor_client.get(CHANGELIST, {"q": "interpreter lock"})

    assert [q.title for q in by_title.context["cl"].result_list] == ["Lists versus tuples"]
    assert [q.title for q in by_text.context["cl"].result_list] == ["The GIL"]


def test_the_question_list_filters_by_track_and_tag(editor_client):
    track, tag = TrackFactory(slug="data-engineering"), TagFactory(slug="pandas")
    QuestionFactory(title="Data", tracks=[track], tags=[tag])
    QuestionFactory(title="Other")

    by_track = editor_client.get(CHANGELIST, {"tracks__id__exact": track.pk})
    by_tag = editor_client.get(CHANGELIST, {"tags__id__exact": tag.pk})

    assert [q.title for q in by_track.context["cl"].result_list] == ["Data"]
    assert [q.title for q in by_tag.context["cl"].result_list] == ["Data"]


def test_the_question_list_issues_the_same_queries_for_20_and_200_questions(
    editor_client, django_assert_num_queries
):
    topics = [TopicFactory() for _ in range(3)]
    for index in range(20):
        QuestionFactory(topic=topics[index % 3])
    editor_client.get(CHANGELIST)  # warms the process, as in a running one
    # 1 session, 2 user, 3 its roles (is_editor), 4-5 the user's and groups' permissions, 6-8
    # the topics, tracks and tags of the filters, 9 the count, 10 the total ("M total": Django
    # counts it even with no filter), 11 the page of questions with their topics (the
    # updated-at filter is links).
    with django_assert_num_queries(11):
        editor_client.get(CHANGELIST)

    for index in range(180):
        QuestionFactory(topic=topics[index % 3])
    editor_client.get(CHANGELIST)
    with django_assert_num_queries(11):
        response = editor_client.get(CHANGELIST)
    assert response.context["cl"].result_count == 200


def test_the_question_list_shows_the_latest_changes_first(editor_client):
    topic = TopicFactory()
    for title, days_ago in [("Alpha", 3), ("Charlie", 1), ("Bravo", 2)]:
        question = QuestionFactory(title=title, topic=topic)
        Question.objects.filter(pk=question.pk).update(
            updated_at=timezone.now() - timedelta(days=days_ago)
        )

    response = editor_client.get(CHANGELIST)

    assert [q.title for q in response.context["cl"].result_list] == ["Charlie", "Bravo", "Alpha"]
    # The "Updated at" header shows the order, and a click on another column still sorts.
    assert 'class="sortable column-updated_at sorted descending"' in response.content.decode()
    by_title = editor_client.get(CHANGELIST, {"o": "1"})
    assert [q.title for q in by_title.context["cl"].result_list] == ["Alpha", "Bravo", "Charlie"]


def test_the_question_list_reads_its_page_off_the_updated_at_index(editor_client):
    for _ in range(30):
        QuestionFactory()
    response = editor_client.get(CHANGELIST)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE questions_question")
            # A tiny table is scanned and sorted whatever the indexes: forbid that, to see
            # whether the planner *can* read the page off the index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")

    plan = response.context["cl"].result_list.explain()

    assert "question_updated_at_idx" in plan


def test_the_question_list_filters_by_when_a_question_last_changed(editor_client):
    recent = QuestionFactory(title="Recent")
    stale = QuestionFactory(title="Stale")
    Question.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=30))
    page = editor_client.get(CHANGELIST)
    (updated,) = [spec for spec in page.context["cl"].filter_specs if spec.title == "updated at"]
    past_week = next(
        c for c in updated.choices(page.context["cl"]) if c["display"] == "Past 7 days"
    )

    response = editor_client.get(CHANGELIST + past_week["query_string"])

    assert "By updated at" in page.content.decode()
    assert list(response.context["cl"].result_list) == [recent]


def test_a_filtered_question_list_counts_the_total_too(editor_client):
    QuestionFactory(title="Lists versus tuples")
    QuestionFactory(title="The GIL")

    unfiltered = editor_client.get(CHANGELIST)
    searched = editor_client.get(CHANGELIST, {"q": "tuples"})

    assert unfiltered.context["cl"].full_result_count == 2
    assert "results (" not in unfiltered.content.decode()
    assert searched.context["cl"].full_result_count == 2
    assert '1 result (<a href="?">2 total</a>)' in searched.content.decode()


def test_a_topic_added_since_the_last_view_is_offered_at_once(editor_client):
    TopicFactory(name="Fundamentals")
    editor_client.get(CHANGELIST)
    added = TopicFactory(name="Concurrency")

    html = editor_client.get(CHANGELIST).content.decode()

    assert f'href="?topic__id__exact={added.pk}"' in html


def test_the_row_checkbox_is_the_one_django_renders(editor_client):
    question = QuestionFactory(title='Quotes " & <tags> in a title')
    question_admin = django_admin.site.get_model_admin(Question)

    ours = question_admin.action_checkbox(question)
    djangos = django_admin.ModelAdmin.action_checkbox(question_admin, question)

    assert ours == djangos


# --- bulk actions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("publish", Status.PUBLISHED, "3 questions published."),
        ("send_to_review", Status.IN_REVIEW, "3 questions sent to review."),
        ("back_to_draft", Status.DRAFT, "3 questions moved back to draft."),
    ],
)
def test_bulk_status_actions_say_how_many_changed(editor_client, action, status, message):
    start = Status.DRAFT if status != Status.DRAFT else Status.PUBLISHED
    questions = [QuestionFactory(status=start) for _ in range(3)]
    untouched = QuestionFactory(status=start)

    response = editor_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [q.pk for q in questions]},
        follow=True,
    )

    assert message in messages_of(response) or message in response.content.decode()
    assert set(Question.objects.filter(status=status)) == set(questions)
    untouched.refresh_from_db()
    assert untouched.status == start


def test_publishing_sets_published_at_records_history_and_counts_only_changes(editor_client):
    draft = QuestionFactory(status=Status.DRAFT, published_at=None)
    live = QuestionFactory(status=Status.PUBLISHED)

    response = editor_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [draft.pk, live.pk]}, follow=True
    )

    assert "1 question published. 1 was already published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is not None
    latest = draft.history.first()
    assert latest.status == Status.PUBLISHED
    assert latest.history_user.username == "edie"


# --- preview -------------------------------------------------------------------------------------


def preview_url(question) -> str:
    return reverse("admin:questions_question_preview", args=[question.pk])


def test_an_editor_previews_a_draft_exactly_as_a_candidate_will_see_it(editor_client):
    draft = QuestionFactory(
        status=Status.DRAFT,
        title="Work in progress",
        prompt="Explain **this**.",
        answer="The answer.",
    )

    response = editor_client.get(preview_url(draft))
    html = response.content.decode()

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "questions/detail.html"
    assert "Preview" in html and "draft" in html
    assert "Explain <strong>this</strong>." in html
    assert f'href="{preview_url(draft)}?answer=1#answer"' in html
    assert "The answer." not in html


def test_the_preview_shows_the_answer_with_and_without_htmx(editor_client, htmx_headers):
    draft = QuestionFactory(status=Status.DRAFT, answer="The answer.")

    page = editor_client.get(preview_url(draft), {"answer": "1"})
    fragment = editor_client.get(preview_url(draft), {"answer": "1"}, headers=htmx_headers)

    assert b"The answer." in page.content and b"<html" in page.content
    assert [t.name for t in fragment.templates] == ["questions/_answer.html"]


def test_the_preview_is_for_editors_only(client, candidate, mentor):
    draft = QuestionFactory(status=Status.DRAFT)

    assert client.get(preview_url(draft)).status_code == 302
    for user in (candidate, mentor):
        client.force_login(user)
        response = client.get(preview_url(draft))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_previewing_a_missing_question_is_not_found(editor_client):
    assert editor_client.get("/admin/questions/question/999999/preview/").status_code == 404
    assert editor_client.get("/admin/questions/question/abc/preview/").status_code == 404


def test_the_change_form_links_to_the_preview_and_the_history(editor_client):
    question = QuestionFactory()

    html = editor_client.get(
        reverse("admin:questions_question_change", args=[question.pk])
    ).content.decode()

    assert f'href="{preview_url(question)}"' in html
    assert "Preview as a candidate" in html
    assert reverse("admin:questions_question_history", args=[question.pk]) in html


def change_url(question) -> str:
    return reverse("admin:questions_question_change", args=[question.pk])


def change_form_data(response) -> dict:
    """What a browser would post back for an unchanged change form, its inlines included."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.forms:
            data.update({form.add_prefix(k): v for k, v in form_data(form).items()})
    return data


def test_the_change_form_reads_each_relation_once_however_many_there_are(
    editor_client, editor, django_assert_num_queries
):
    topic = TopicFactory(name="Fundamentals")
    question = multiple_choice_question(topic=topic, author=editor)
    editor_client.get(change_url(question))  # warms the process, as in a running one
    for size in (2, 20):
        tags = [TagFactory() for _ in range(size)]
        tracks = [TrackFactory() for _ in range(size)]
        question.tags.add(*tags)
        question.tracks.add(*tracks)
        question.follow_ups.add(*[QuestionFactory(topic=topic) for _ in range(size)])
        for _ in range(size):
            UserFactory()  # candidates: not in the author <select>
        editor_client.get(change_url(question))
        # 1 session, 2 user, 3 its roles (is_editor), 4 the question with its topic, 5-6 the
        # user's and groups' permissions, 7-9 its tracks, tags and follow-ups (the form's
        # initial values), 10-12 the chosen topic, tags and follow-ups again (Django's
        # autocomplete boxes read what they show by id), 13 its choices (inline), 14 its tests
        # (inline), 15 the editors (the author <select>), 16 its problem reports (the
        # item-analysis panel; its figures come with the question), 17 every track (the track
        # checkboxes).
        with django_assert_num_queries(17):
            response = editor_client.get(change_url(question))

    html = response.content.decode()
    assert f'<option value="{topic.pk}" selected>Fundamentals</option>' in html
    for tag in question.tags.all():
        assert f'<option value="{tag.pk}" selected>{tag.name}</option>' in html
    for follow_up in question.follow_ups.all():
        assert f'<option value="{follow_up.pk}" selected>{follow_up.title}</option>' in html
    for track in question.tracks.all():
        assert re.search(rf'value="{track.pk}"[^>]*checked[^>]*>\s*{track.name}</label>', html)
    assert len(response.context["adminform"].form.fields["author"].queryset) == 1


def test_the_add_form_reads_no_relation(editor_client, django_assert_num_queries):
    TrackFactory(name="Backend web")
    editor_client.get(ADD)
    # 1 session, 2 user, 3 its roles (is_editor), 4-5 permissions, 6 every track (the track
    # checkboxes), 7 the editors (the author <select>).
    with django_assert_num_queries(7):
        html = editor_client.get(ADD).content.decode()

    assert "Backend web" in html


def test_a_form_sent_back_shows_the_tags_and_follow_ups_just_chosen(editor_client):
    topic = TopicFactory()
    question = QuestionFactory(topic=topic, tags=[TagFactory(name="orm")])
    gil, follow_up = TagFactory(name="gil"), QuestionFactory(title="What a GIL is")
    data = change_form_data(editor_client.get(change_url(question)))
    data.update({"title": "", "tags": [str(gil.pk)], "follow_ups": [str(follow_up.pk)]})

    response = editor_client.post(change_url(question), data)  # refused: no title

    html = response.content.decode()
    assert response.status_code == 200 and "This field is required." in html
    assert f'<option value="{gil.pk}" selected>gil</option>' in html
    assert f'<option value="{follow_up.pk}" selected>What a GIL is</option>' in html
    assert ">orm</option>" not in html


def test_a_track_added_is_offered_at_once(editor_client):
    question = QuestionFactory()
    editor_client.get(change_url(question))
    TrackFactory(name="Data engineering")

    assert "Data engineering" in editor_client.get(change_url(question)).content.decode()


def test_the_author_is_one_of_the_editors_or_whoever_is_named_now(editor_client, editor):
    other_editor = UserFactory(username="zed", is_staff=True)
    other_editor.groups.add(*editor.groups.all())
    admin_user = UserFactory(username="root", is_superuser=True, is_staff=True)
    former_editor = UserFactory(username="former")  # wrote the question, no longer an editor
    candidate = UserFactory(username="casey")
    question = QuestionFactory(author=former_editor)

    page = editor_client.get(change_url(question))
    data = change_form_data(page)
    offered = set(page.context["adminform"].form.fields["author"].queryset)
    refused = editor_client.post(change_url(question), {**data, "author": str(candidate.pk)})
    accepted = editor_client.post(change_url(question), {**data, "author": str(other_editor.pk)})

    assert offered == {editor, other_editor, admin_user, former_editor}
    assert "Select a valid choice" in refused.content.decode()
    assert accepted.status_code == 302
    question.refresh_from_db()
    assert question.author == other_editor


# --- writing questions ---------------------------------------------------------------------------


def test_view_on_site_is_offered_for_published_questions_only(editor_client):
    live = QuestionFactory(status=Status.PUBLISHED)
    draft = QuestionFactory(status=Status.DRAFT)

    live_form = editor_client.get(reverse("admin:questions_question_change", args=[live.pk]))
    draft_form = editor_client.get(reverse("admin:questions_question_change", args=[draft.pk]))

    assert b"View on site" in live_form.content
    assert b"View on site" not in draft_form.content


def test_an_editor_adds_a_question_and_its_markdown_is_rendered(editor_client, editor):
    topic = TopicFactory()

    response = editor_client.post(ADD, question_post(topic))

    assert response.status_code == 302, response.context["adminform"].form.errors
    question = Question.objects.get(slug="lists-versus-tuples")
    assert question.prompt_html == "<p>What is the <strong>difference</strong>?</p>"
    assert question.author == editor


def test_an_editor_adds_a_multiple_choice_question_with_its_choices(editor_client):
    topic = TopicFactory()
    data = with_choices(
        question_post(topic, kind=Kind.MULTIPLE_CHOICE), [("`(1, 2)`", True), ("`[1]`", False)]
    )

    response = editor_client.post(ADD, data)

    assert response.status_code == 302
    question = Question.objects.get(slug="lists-versus-tuples")
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("`(1, 2)`", True),
        ("`[1]`", False),
    ]
    assert question.choices.first().text_html == "<p><code>(1, 2)</code></p>"


@pytest.mark.parametrize(
    ("choices", "multi_select", "error"),
    [
        ([("Only one", True)], False, "at least two choices"),
        ([("A", False), ("B", False)], False, "Mark at least one choice as correct"),
        ([("A", True), ("B", True), ("C", False)], False, "single-select"),
        ([], False, "at least two choices"),
    ],
)
def test_invalid_choices_are_refused_with_a_message(editor_client, choices, multi_select, error):
    topic = TopicFactory()
    data = with_choices(question_post(topic, kind=Kind.MULTIPLE_CHOICE), choices)
    if multi_select:
        data["multi_select"] = "on"

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Question.objects.exists()


def test_several_correct_choices_are_fine_for_multi_select(editor_client):
    data = with_choices(
        question_post(TopicFactory(), kind=Kind.MULTIPLE_CHOICE, multi_select="on"),
        [("A", True), ("B", True), ("C", False)],
    )

    assert editor_client.post(ADD, data).status_code == 302


def test_an_editor_pins_the_order_of_a_questions_choices(editor_client):
    assert 'name="keep_choice_order"' in editor_client.get(ADD).content.decode()
    data = with_choices(
        question_post(TopicFactory(), kind=Kind.MULTIPLE_CHOICE, keep_choice_order="on"),
        [("Both of the below", False), ("A", True), ("B", False)],
    )

    assert editor_client.post(ADD, data).status_code == 302
    assert Question.objects.get().keep_choice_order is True


def test_a_pinned_order_on_another_kind_is_refused(editor_client):
    response = editor_client.post(ADD, question_post(TopicFactory(), keep_choice_order="on"))

    assert "keep_choice_order" in response.context["adminform"].form.errors
    assert not Question.objects.exists()


def test_choices_on_another_kind_are_refused(editor_client):
    data = with_choices(question_post(TopicFactory()), [("A", True), ("B", False)])

    response = editor_client.post(ADD, data)

    assert b"Only multiple-choice questions have choices" in response.content
    assert not Question.objects.exists()


def test_a_coding_question_needs_its_code(editor_client):
    response = editor_client.post(
        ADD, question_post(TopicFactory(), kind=Kind.CODING, starter_code="def f(): ...")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "solution_code" in errors
    (tests,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "tests"
    ]
    assert tests.non_form_errors() == ["A coding question needs at least one test."]
    assert not Question.objects.exists()


def test_one_key_point_is_not_enough(editor_client):
    response = editor_client.post(ADD, question_post(TopicFactory(), key_points="Just one"))

    assert "key_points" in response.context["adminform"].form.errors


def test_the_add_form_helps_editors(editor_client):
    html = editor_client.get(ADD).content.decode()

    assert "The rubric, one per line" in html
    assert "choices-0-text" in html  # four empty choices to fill in
    assert "data-autocomplete-light" not in html  # Django's own autocomplete
    assert "admin-autocomplete" in html
    assert "prepopulated_fields" in html or "data-prepopulated-field" in html


# --- history and revert --------------------------------------------------------------------------


def test_an_editor_reverts_a_question_to_an_earlier_version(editor_client):
    question = QuestionFactory(title="Original title", prompt="Original *prompt*")
    original = question.history.earliest()
    question.title = "Vandalised"
    question.prompt = "Oops"
    question.save()

    history = editor_client.get(reverse("admin:questions_question_history", args=[question.pk]))
    assert history.status_code == 200
    assert b"Vandalised" in history.content or b"Original title" in history.content

    url = reverse(
        "admin:questions_question_simple_history", args=[question.pk, original.history_id]
    )
    revert_page = editor_client.get(url)
    assert revert_page.status_code == 200
    data = form_data(revert_page.context["adminform"].form)
    response = editor_client.post(url, data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.title == "Original title"
    assert question.prompt_html == "<p>Original <em>prompt</em></p>"
    assert question.history.count() == 3


def history_url(question) -> str:
    return reverse("admin:questions_question_history", args=[question.pk])


def changes_shown(records) -> list[list[tuple[str, str, str]]]:
    """Per record, newest first: (field, old, new) for each change the history page lists."""
    return [
        [(c["field"], c["old"], c["new"]) for c in getattr(record, "history_delta_changes", [])]
        for record in records
    ]


def test_the_history_shows_what_each_version_changed_tracks_and_tags_included(editor_client):
    orm, gil, gone = TagFactory(name="orm"), TagFactory(name="gil"), TagFactory(name="gone")
    question = QuestionFactory(title="First", tags=[orm])
    question.tags.add(gil, gone)
    question.tracks.add(TrackFactory(name="Backend web"))
    question.title = "Second"
    question.save()
    question.tags.remove(orm)
    gone_pk = gone.pk
    gone.delete()  # older versions still name it

    response = editor_client.get(history_url(question))

    shown = changes_shown(response.context["page_obj"])
    gone_label = f"Deleted tag (pk={gone_pk})"
    ((field, old, new),) = shown[0]  # where a deleted tag sorts depends on the database
    assert field == "Tags" and gone_label in old and gone_label in new
    assert "orm" in old and "orm" not in new
    assert shown[1] == [("Title", "First", "Second")]
    assert shown[2] == [("Tracks", "[]", "[Backend web]")]
    assert shown[3][0][0] == "Tags" and shown[3][0][1] == "[orm]"
    assert shown[4] == [("Tags", "[]", "[orm]")]
    assert shown[5] == []  # the first version: nothing to compare with
    # Exactly what simple-history's own diff (4 queries a record) says.
    question_admin = django_admin.site.get_model_admin(Question)
    records = list(question.history.select_related("history_user", "topic", "author"))
    SimpleHistoryAdmin.set_history_delta_changes(question_admin, response.wsgi_request, records)
    assert shown == changes_shown(records)


def test_the_history_reads_the_same_queries_for_few_and_many_versions(
    editor_client, django_assert_num_queries
):
    tags = [TagFactory(name=f"t{n:02d}", slug=f"t{n:02d}") for n in range(30)]
    question = QuestionFactory(tags=tags[:1], tracks=[TrackFactory()])  # 3 versions
    editor_client.get(history_url(question))
    # 1 session, 2 user, 3 its roles (is_editor), 4 the question, 5-6 permissions, 7 the count
    # of versions (paginator), 8 the versions with their users, topics and authors, 9-10 the
    # tracks and the tags of every version on the page.
    with django_assert_num_queries(10):
        few = editor_client.get(history_url(question))
    for tag in tags[1:]:
        question.tags.add(tag)  # 29 more versions
    with django_assert_num_queries(10):
        many = editor_client.get(history_url(question))

    assert len(few.context["page_obj"]) == 3 and len(many.context["page_obj"]) == 32
    # The newest version added t29 (simple-history elides the long common start).
    ((field, old, new),) = changes_shown(many.context["page_obj"])[0]
    assert (field, old[-9:], new[-9:]) == ("Tags", "t27, t28]", "t28, t29]")


# --- tracks, topics, tags, sets ------------------------------------------------------------------


@pytest.mark.parametrize("model", ["track", "topic", "tag"])
def test_track_topic_and_tag_lists_count_questions_without_a_query_per_row(
    editor_client, model, django_assert_num_queries
):
    url = reverse(f"admin:questions_{model}_changelist")

    created = []

    def add_rows(count):
        for _ in range(count):
            row = {"track": TrackFactory, "topic": TopicFactory, "tag": TagFactory}[model]()
            created.append(row.pk)
            for _ in range(2):
                if model == "topic":
                    QuestionFactory(topic=row)
                else:
                    getattr(QuestionFactory(), f"{model}s").add(row)

    add_rows(2)
    editor_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        response = editor_client.get(url)
    assert "Questions" in response.content.decode()
    counts = {row.pk: row.question_count for row in response.context["cl"].result_list}
    assert all(counts[pk] == 2 for pk in created)

    add_rows(15)
    with django_assert_num_queries(len(few)):
        editor_client.get(url)


def test_a_question_set_is_built_with_ordered_questions(editor_client):
    first, second = QuestionFactory(title="First"), QuestionFactory(title="Second")
    data = {
        "title": "Backend loop",
        "slug": "backend-loop",
        "description": "",
        "visibility": "public",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-question": str(second.pk),
        "items-0-position": "2",
        "items-1-question": str(first.pk),
        "items-1-position": "1",
    }

    response = editor_client.post(reverse("admin:questions_questionset_add"), data)

    assert response.status_code == 302
    question_set = QuestionSet.objects.get(slug="backend-loop")
    assert [i.question.title for i in question_set.items.order_by("position")] == [
        "First",
        "Second",
    ]
    changelist = editor_client.get(reverse("admin:questions_questionset_changelist"))
    assert changelist.context["cl"].result_list[0].item_count == 2
    change = editor_client.get(
        reverse("admin:questions_questionset_change", args=[question_set.pk])
    ).content.decode()
    assert "admin-autocomplete" in change


def test_autocomplete_finds_topics_tags_and_questions(editor_client):
    QuestionSetFactory()
    TopicFactory(name="Concurrency")
    TagFactory(slug="threads", name="threads")
    QuestionFactory(title="The GIL and when it matters")

    for model, field, term in [
        ("question", "topic", "Concur"),
        ("question", "tags", "thre"),
        ("question", "follow_ups", "GIL"),
        ("questionsetitem", "question", "GIL"),
    ]:
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "questions", "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200, (model, field)
        assert len(response.json()["results"]) == 1, (model, field)


def test_choices_inline_rejects_a_choice_without_an_explanation(editor_client):
    data = with_choices(
        question_post(TopicFactory(), kind=Kind.MULTIPLE_CHOICE), [("A", True), ("B", False)]
    )
    data["choices-1-explanation"] = ""

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert not Choice.objects.exists()


@pytest.mark.parametrize("chosen", [False, True])
def test_the_topic_box_starts_with_a_labelled_empty_option(editor_client, chosen):
    # Valid HTML: a required single <select> starts with an empty option, and an option has a
    # label (Django's autocomplete box writes none when required, an unlabelled one otherwise).
    topic = TopicFactory(name="Fundamentals")
    url = change_url(QuestionFactory(topic=topic)) if chosen else ADD

    html = editor_client.get(url).content.decode()

    select = re.search(r'<select name="topic"[^>]*>(.*?)</select>', html, re.S)
    options = re.findall(r"<option[^>]*>[^<]*</option>", select.group(1))
    assert options[0] == '<option value="">---------</option>'
    assert options[1:] == (
        [f'<option value="{topic.pk}" selected>Fundamentals</option>'] if chosen else []
    )
    dataset = re.search(r'<select name="dataset"[^>]*>(.*?)</select>', html, re.S)
    assert '<option value="">---------</option>' in dataset.group(1)
    assert '<option value=""></option>' not in dataset.group(1)
