"""The admin's import and export of questions: the bank's own files (questions/bank_files.py).
The question list's action downloads the selection as bank files (a .zip); the import page
takes such a .zip, or one file of the bank, shows what it will create and update (or every
problem, writing nothing), and writes it when the editor confirms."""

import io
import re
import zipfile

import pytest
import yaml
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import EDITORS
from questions import bank_files
from questions.bank_files import TRACKS_FILE, export_bank
from questions.models import CodeTest, Dataset, Question, Tag, Topic, Track
from tests.factories import (
    SHARED_LIST_OUTPUT,
    EditorFactory,
    QuestionFactory,
    TopicFactory,
    TrackFactory,
    coding_question,
    predict_output_question,
    sql_question,
)
from tests.questions.test_bank_files import (
    CODING,
    FUNDAMENTALS,
    TRACKS,
    bank_snapshot,
    run_load,
    write_bank,
)
from tests.questions.test_code_tests_admin import add_tests

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:questions_question_changelist")
IMPORT_URL = reverse("admin:questions_question_import")


def upload(client, name: str, content: str | bytes):
    if isinstance(content, str):
        content = content.encode()
    return client.post(IMPORT_URL, {"bank_file": SimpleUploadedFile(name, content)})


def confirm(client, response):
    return client.post(
        IMPORT_URL, {"token": response.context["token"], "confirm": "Import"}, follow=True
    )


def download(client, questions) -> dict[str, str]:
    """The bank files the list's action gives for these questions, by name."""
    response = client.post(
        CHANGELIST,
        {
            "action": "download_bank_files",
            "_selected_action": [str(q.pk) for q in questions],
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="questions-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def as_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def empty_the_bank() -> None:
    CodeTest.objects.all().delete()
    Question.objects.all().delete()
    Dataset.objects.all().delete()
    for model in (Topic, Track, Tag):
        model.objects.all().delete()


@pytest.fixture
def loaded_bank(tmp_path):
    """The bank of tests/questions/test_bank_files.py, loaded: three questions in two topics."""
    run_load(write_bank(tmp_path / "bank"))


# --- the question list ---------------------------------------------------------------------------


def test_the_question_list_offers_the_import_and_the_download(editor_client):
    QuestionFactory()

    html = editor_client.get(CHANGELIST).content.decode()

    assert f'<a href="{IMPORT_URL}">Import bank files</a>' in html
    assert '<option value="download_bank_files">Download the selected questions as bank files' in (
        html
    )


# --- export --------------------------------------------------------------------------------------


def test_the_download_and_the_import_round_trip_into_an_empty_database(editor_client, loaded_bank):
    before = bank_snapshot()

    files = download(editor_client, Question.objects.all())
    empty_the_bank()
    preview = upload(editor_client, "questions.zip", as_zip(files))

    assert preview.context["result"].created == 3
    assert not Question.objects.exists()  # the preview writes nothing
    confirm(editor_client, preview)
    assert bank_snapshot() == before


def test_the_download_is_the_format_load_bank_reads(editor_client, loaded_bank, tmp_path):
    files = download(editor_client, Question.objects.all())

    assert sorted(files) == ["coding.yaml", "fundamentals.yaml", "tracks.yaml"]
    directory = tmp_path / "unpacked"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    assert "0 created, 0 updated, 3 unchanged" in run_load(directory)


def test_the_download_of_a_selection_holds_its_topics_and_every_track(editor_client, loaded_bank):
    TrackFactory(slug="mobile", name="Mobile", position=9)

    files = download(editor_client, Question.objects.filter(slug="reverse-words"))

    assert sorted(files) == ["coding.yaml", "tracks.yaml"]
    topic = yaml.safe_load(files["coding.yaml"])
    assert [q["slug"] for q in topic["questions"]] == ["reverse-words"]
    tracks = yaml.safe_load(files[TRACKS_FILE])["tracks"]
    assert [t["slug"] for t in tracks] == ["backend-web", "data-engineering", "mobile"]


def test_the_download_of_an_sql_question_carries_its_dataset_only(editor_client):
    question = sql_question(slug="orders-per-customer")
    Dataset.objects.create(
        slug="other", title="Other", description="x", schema="x", rows="x", hidden_rows="y"
    )

    files = download(editor_client, [question])

    datasets = yaml.safe_load(files["datasets.yaml"])["datasets"]
    assert question.dataset is not None
    assert [d["slug"] for d in datasets] == [question.dataset.slug]


# --- import --------------------------------------------------------------------------------------


def test_an_editor_imports_a_file_of_the_bank_after_seeing_what_it_does(editor_client):
    write_tracks = yaml.safe_load(TRACKS)["tracks"]
    for position, track in enumerate(write_tracks, 1):
        Track.objects.create(position=position, **track)
    QuestionFactory(slug="reverse-words")  # a follow-up may name a question in the database

    preview = upload(editor_client, "fundamentals.yaml", FUNDAMENTALS)

    html = preview.content.decode()
    assert "2 questions created, 0 updated, 0 already as the file says" in html
    assert "Lists versus tuples" in html and "Which of these are tuples?" in html
    assert 'name="confirm"' in html
    assert not Question.objects.filter(slug="list-vs-tuple").exists()

    done = confirm(editor_client, preview)

    assert done.redirect_chain[-1][0] == CHANGELIST
    assert "Imported: 2 created, 0 updated, 0 unchanged." in done.content.decode()
    quiz = Question.objects.get(slug="tuple-quiz")
    assert quiz.topic.slug == "fundamentals"
    assert list(quiz.choices.values_list("is_correct", flat=True)) == [True, True, False]
    follow_ups = Question.objects.get(slug="list-vs-tuple").follow_ups.all()
    assert {q.slug for q in follow_ups} == {"reverse-words", "tuple-quiz"}


def test_importing_what_is_already_there_changes_nothing(editor_client, loaded_bank):
    files = download(editor_client, Question.objects.all())
    history = Question.history.count(), CodeTest.history.count()

    preview = upload(editor_client, "questions.zip", as_zip(files))
    result = preview.context["result"]

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    confirm(editor_client, preview)
    assert (Question.history.count(), CodeTest.history.count()) == history


def test_an_edited_question_is_listed_as_updated_and_only_it_is_written(editor_client, loaded_bank):
    files = download(editor_client, Question.objects.all())
    files["coding.yaml"] = files["coding.yaml"].replace(
        "title: Reverse the words", "title: Reverse the words, renamed"
    )
    untouched = Question.objects.get(slug="list-vs-tuple").updated_at

    preview = upload(editor_client, "questions.zip", as_zip(files))

    assert preview.context["updated"] == [("reverse-words", "Reverse the words, renamed")]
    confirm(editor_client, preview)
    assert Question.objects.get(slug="reverse-words").title == "Reverse the words, renamed"
    assert Question.objects.get(slug="list-vs-tuple").updated_at == untouched


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "fundamentals.yaml",
            FUNDAMENTALS.replace("multi_select: true", "multi_select: false"),
            "fundamentals.yaml, question &#x27;tuple-quiz&#x27;: &#x27;choices&#x27;: 2 choices "
            "are marked correct, but the question is single-select",
        ),
        (
            "fundamentals.yaml",
            FUNDAMENTALS.replace("kind: concept", "kind: essay"),
            "&#x27;kind&#x27;: Value &#x27;essay&#x27; is not a valid choice.",
        ),
        (
            "coding.yaml",
            CODING.replace("tracks: [backend-web]", "tracks: [mobile]"),
            "coding.yaml, question &#x27;reverse-words&#x27;: unknown track &#x27;mobile&#x27;.",
        ),
        (
            "coding.yaml",
            CODING.replace("keeps an empty text empty", "reverses three words"),
            "&#x27;tests&#x27;: Each test needs its own name; used more than once",
        ),
        ("fundamentals.yaml", "topic: [unclosed", "fundamentals.yaml: is not valid YAML"),
        ("fundamentals (1).yaml", FUNDAMENTALS, "must equal the file name"),
        ("questions.csv", "slug,title", "questions.csv: choose a .yaml file of the bank"),
        ("questions.zip", "not a zip", "questions.zip: is not a zip archive that can be read."),
    ],
)
def test_a_bad_file_shows_every_problem_and_writes_nothing(editor_client, name, content, problem):
    TrackFactory(slug="backend-web")
    TrackFactory(slug="data-engineering")
    QuestionFactory(slug="reverse-words")

    response = upload(editor_client, name, content)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert problem in html
    assert 'name="confirm"' not in html
    assert "token" not in response.context
    assert not Topic.objects.filter(slug__in=["fundamentals", "coding"]).exists()
    assert Question.objects.count() == 1


def test_a_confirmation_that_now_fails_writes_nothing(editor_client, loaded_bank):
    """Between the preview and the confirmation a follow-up disappears: the whole file is
    refused, the questions that still pass included."""
    files = download(editor_client, Question.objects.filter(topic__slug="fundamentals"))
    empty_the_bank()
    QuestionFactory(slug="reverse-words")
    preview = upload(editor_client, "questions.zip", as_zip(files))
    Question.objects.filter(slug="reverse-words").delete()

    done = confirm(editor_client, preview)

    html = done.content.decode()
    assert "Nothing was imported" in html and "unknown follow-up &#x27;reverse-words&#x27;" in html
    assert not Question.objects.exists()


def test_a_confirmation_needs_the_editors_own_waiting_upload(client, editor_client, loaded_bank):
    files = download(editor_client, Question.objects.all())
    empty_the_bank()
    preview = upload(editor_client, "questions.zip", as_zip(files))
    client.force_login(EditorFactory(username="other"))

    someone_else = client.post(
        IMPORT_URL, {"token": preview.context["token"], "confirm": "Import"}, follow=True
    )

    assert "That upload is no longer waiting" in someone_else.content.decode()
    assert not Question.objects.exists()
    cache.clear()  # an hour later
    client.force_login(preview.wsgi_request.user)
    assert "no longer waiting" in confirm(client, preview).content.decode()
    assert not Question.objects.exists()


@pytest.mark.parametrize("codename", ["add_question", "change_question"])
def test_the_import_needs_the_permission_to_add_and_change_questions(editor_client, codename):
    Group.objects.get(name=EDITORS).permissions.remove(Permission.objects.get(codename=codename))

    assert editor_client.get(IMPORT_URL).status_code == 403
    assert editor_client.post(IMPORT_URL, {"token": "x", "confirm": "Import"}).status_code == 403
    if codename == "add_question":
        assert "Import bank files" not in editor_client.get(CHANGELIST).content.decode()


def test_the_import_page_is_a_plain_form(editor_client):
    html = editor_client.get(IMPORT_URL).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html
    assert re.search(r'<input type="file" name="bank_file"[^>]*aria-describedby=', html)


def test_the_server_runs_no_snippet_an_upload_brings(editor_client, monkeypatch):
    predict_output_question(slug="two-names", topic=TopicFactory(slug="basics"))
    files = download(editor_client, Question.objects.all())
    empty_the_bank()

    def no_running(snippets):
        raise AssertionError("an uploaded snippet was run")

    monkeypatch.setattr(bank_files, "run_snippets", no_running)
    preview = upload(editor_client, "questions.zip", as_zip(files))
    confirm(editor_client, preview)

    question = Question.objects.get(slug="two-names")
    assert question.expected_output == SHARED_LIST_OUTPUT and question.snippet_html


def test_an_upload_without_the_expected_output_is_refused(editor_client):
    predict_output_question(slug="two-names", topic=TopicFactory(slug="basics"))
    files = download(editor_client, Question.objects.all())
    empty_the_bank()
    files["basics.yaml"] = re.sub(
        r"    expected_output: .*\n(      .*\n)*", "", files["basics.yaml"]
    )

    html = upload(editor_client, "questions.zip", as_zip(files)).content.decode()

    assert (
        "&#x27;expected_output&#x27;: The expected output is empty: Run the snippet fills it in"
        in html
    )
    assert not Question.objects.exists()


def test_a_coding_questions_tests_and_time_limit_round_trip(editor_client):
    question = coding_question(
        slug="add-two-numbers", time_limit=9, runs_in_browser=False, visible=0, hidden=0
    )
    add_tests(question, ("adds two", "assert add(1, 2) == 3", False), ("hid", "assert 1", True))
    files = download(editor_client, [question])
    empty_the_bank()

    confirm(editor_client, upload(editor_client, "questions.zip", as_zip(files)))

    question = Question.objects.get(slug="add-two-numbers")
    assert (question.time_limit, question.runs_in_browser) == (9, False)
    assert list(question.tests.values_list("name", "code", "is_hidden")) == [
        ("adds two", "assert add(1, 2) == 3", False),
        ("hid", "assert 1", True),
    ]
    first = question.tests.first()
    assert first is not None and '<span class="k">assert</span>' in first.code_html


def test_a_file_export_bank_wrote_imports_unchanged(editor_client, loaded_bank, tmp_path):
    export_bank(tmp_path / "out")
    content = (tmp_path / "out" / "coding.yaml").read_text(encoding="utf-8")

    result = upload(editor_client, "coding.yaml", content).context["result"]

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


# --- what an upload may hold ---------------------------------------------------------------------


def test_a_zip_may_hold_the_files_in_a_folder_and_other_files_are_ignored():
    content = as_zip(
        {"bank/fundamentals.yaml": "a", "bank/README.md": "b", "__MACOSX/._fundamentals.yaml": "c"}
    )

    assert bank_files.unpack_upload("questions.zip", content) == {"fundamentals.yaml": b"a"}


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"a/x.yaml": "1", "b/x.yaml": "2"}, "questions.zip: holds two files named x.yaml."),
        ({"README.md": "1"}, "questions.zip: holds no .yaml file."),
        ({"x.yaml": "12345", "y.yaml": "67890"}, "questions.zip: holds more than 0 MB."),
    ],
)
def test_a_zip_that_is_no_bank_is_refused(monkeypatch, files, problem):
    monkeypatch.setattr(bank_files, "UPLOAD_MAX_BYTES", 8)

    with pytest.raises(bank_files.BankError) as raised:
        bank_files.unpack_upload("questions.zip", as_zip(files))

    assert raised.value.problems == [problem]
