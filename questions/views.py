"""The candidate-facing bank: browse, filter and search questions, read one, curated sets.

These pages are public (the navigation links them for visitors too): they show published
questions and public sets only, everything else is a 404.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from prep.http import HtmxHttpRequest
from questions.forms import QuestionFilterForm
from questions.models import (
    RUNNABLE_KINDS,
    Question,
    QuestionSet,
    QuestionSetItem,
    Status,
)

PAGE_SIZE = 20
# Questions with one of these tags link to the ORM lab, which shows the lesson live.
LAB_TAGS = frozenset({"orm", "n-plus-one"})


def _wants_fragment(request: HtmxHttpRequest) -> bool:
    # A history restore (back button with htmx's cache off) needs the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


def filtered_questions(filters: dict):
    """Published questions matching the filter form's cleaned values."""
    questions = Question.objects.published()
    if track := filters.get("track"):
        questions = questions.for_track(track)
    if topic := filters.get("topic"):
        questions = questions.for_topics([topic])
    if difficulty := filters.get("difficulty"):
        questions = questions.of_difficulty(difficulty)
    if kind := filters.get("kind"):
        questions = questions.of_kinds([kind])
    if tag := filters.get("tag"):
        questions = questions.tagged(tag)
    if text := filters.get("q"):
        questions = questions.search(text)
    return questions.with_list_data()


@require_safe
@vary_on_headers("HX-Request")
def question_list(request: HtmxHttpRequest) -> HttpResponse:
    form = QuestionFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(filtered_questions(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "is_filtered": bool(filters)}
    if _wants_fragment(request):
        response = render(request, "questions/_list.html", context)
        # The address bar shows only the filters in use, not every empty field of the form.
        response["HX-Push-Url"] = _clean_url(request)
        return response
    return render(request, "questions/list.html", context)


def _clean_url(request: HtmxHttpRequest) -> str:
    params = [(key, value) for key, value in request.GET.items() if value.strip()]
    return f"{request.path}?{urlencode(params)}" if params else request.path


def render_question(
    request: HtmxHttpRequest, question: Question, *, preview: bool = False
) -> HttpResponse:
    """The question page, or with ?answer=1 its answer: the fragment for htmx, else the page
    with the answer open. Shared with the admin's preview, which shows drafts and lets the
    editor run the tests (it needs the starter and solution code loaded)."""
    show_answer = request.GET.get("answer") == "1"
    tags, tracks = list(question.tags.all()), list(question.tracks.all())
    runnable = question.kind in RUNNABLE_KINDS
    # The answer lists the tests, and the preview runs them: one query, however many there are.
    shows_tests = runnable and (show_answer or preview)
    if shows_tests:
        prefetch_related_objects([question], "tests")
    context = {
        "question": question,
        "tags": tags,
        "tracks": tracks,
        "choices": list(question.choices.all()) if question.is_multiple_choice else [],
        "follow_ups": question.published_follow_ups,
        "show_answer": show_answer,
        "answer_url": f"{request.path}?answer=1",
        "shows_lab_link": any(tag.slug in LAB_TAGS for tag in tags),
        "tests": list(question.tests.all()) if shows_tests else [],
        "preview": preview,
    }
    if preview and runnable:
        context.update(_check_context(question))
    if show_answer and _wants_fragment(request):
        return render(request, "questions/_answer.html", context)
    return render(request, "questions/detail.html", context)


def _check_context(question: Question) -> dict:
    """The preview's Run the tests (editors only): the reference solution must pass every test
    and the starter code fail one, run in the editor's browser. It runs when the question's
    tests run in the browser and there is a solution to check them with; otherwise
    `check_blocked` says why not."""
    if not question.tests.all():
        return {"check_blocked": "It has no tests yet: add them in the admin."}
    if not question.runs_in_browser:
        return {
            "check_blocked": "Its tests do not run in the browser (\u201cRuns in browser\u201d "
            "is off): candidates grade themselves."
        }
    if not question.solution_code.strip():
        return {"check_blocked": "It has no reference solution to run the tests with."}
    return {
        "check_tests": {
            "visible": question.runner_tests(include_hidden=False),
            "all": question.runner_tests(include_hidden=True),
        },
        "check_codes": {"solution": question.solution_code, "starter": question.starter_code},
    }


@require_safe
@vary_on_headers("HX-Request")
def question_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    question = get_object_or_404(Question.objects.published().with_detail_data(), slug=slug)
    return render_question(request, question)


@require_safe
def set_list(request: HtmxHttpRequest) -> HttpResponse:
    sets = QuestionSet.objects.public().annotate(
        question_count=Count(
            "items", filter=Q(items__question__status=Status.PUBLISHED), distinct=True
        )
    )
    return render(request, "questions/sets.html", {"sets": sets})


@require_safe
def set_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    items = (
        QuestionSetItem.objects.filter(question__status=Status.PUBLISHED)
        .select_related("question__topic")
        .prefetch_related("question__tags")
        .order_by("position", "pk")
    )
    question_set = get_object_or_404(
        QuestionSet.objects.public().prefetch_related(
            Prefetch("items", queryset=items, to_attr="published_items")
        ),
        slug=slug,
    )
    return render(request, "questions/set_detail.html", {"question_set": question_set})
