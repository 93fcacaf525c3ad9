"""Practice pages. Each works with plain forms and redirects; with htmx only the card (and its
progress bar) is swapped, from the same URLs."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from practice import draw, services, stats
from practice.forms import (
    CodeSubmissionForm,
    GradeForm,
    MockAnswerForm,
    MockPredictionForm,
    NoteForm,
    PredictionForm,
    QuerySubmissionForm,
    QuizForm,
    RevealForm,
    StartForm,
)
from practice.models import (
    Bookmark,
    Mode,
    Note,
    Outcome,
    PracticeSession,
    ReviewCard,
    SessionItem,
)
from practice.services import NothingToPractise
from prep.forms import parse_id
from prep.http import AuthedHttpRequest, safe_next_url
from questions.models import Kind, Question, Status

# Questions with one right answer, checked on the server (Check), never self-graded.
CHECKED_KINDS = draw.QUIZ_KINDS
RECENT_SESSIONS = 10
DASHBOARD_SESSIONS = 5
DASHBOARD_LEECHES = 10

NOTICES = {
    Outcome.ALREADY_ANSWERED: "That answer was already recorded: nothing changed.",
}
FINISHED_NOTICE = "This session is finished, so it can no longer change."
TIME_UP_NOTICE = "Time is up: answers after the time limit are not accepted."


# --- helpers -------------------------------------------------------------------------------------


def _get_session_for(user, pk: int) -> PracticeSession:
    """The user's own session, or 404 (another user's session does not exist for them)."""
    return get_object_or_404(
        PracticeSession.objects.select_related("question_set"), pk=pk, user=user
    )


def _items_of(user, pk: int):
    """The items of the user's session `pk`, each with its session, question and topic in the
    same query (another user's session has none)."""
    # session__pk, not session_id: an id beyond 64 bits is then "no such row" on SQLite too.
    return SessionItem.objects.select_related("session", "question__topic").filter(
        session__pk=pk, session__user=user
    )


def _get_item_for(user, pk: int, item_pk: int) -> SessionItem:
    """An item of the user's session `pk`, with its session, question and topic (one query),
    or 404."""
    return get_object_or_404(_items_of(user, pk), pk=item_pk)


def _session_and_current_item(user, pk: int) -> tuple[PracticeSession, SessionItem | None]:
    """The user's session and its first unanswered question (None when there is none): one
    query while a question is left, two once all are answered. 404 for another user's
    session."""
    item = _items_of(user, pk).filter(answered_at__isnull=True).order_by("position").first()
    if item is None:
        return _get_session_for(user, pk), None
    return item.session, item


def _closed_notice(session: PracticeSession) -> str:
    return FINISHED_NOTICE if session.is_finished else TIME_UP_NOTICE


def _notice_for(outcome: Outcome, session: PracticeSession) -> str:
    """What to tell the candidate about an answer that changed nothing ("" if it was recorded)."""
    if outcome == Outcome.CLOSED:
        return _closed_notice(session)
    return NOTICES.get(outcome, "")


def _rng() -> random.Random:
    """The draw's random source: seeded from settings.PRACTICE_DRAW_SEED when set (tests)."""
    return random.Random(settings.PRACTICE_DRAW_SEED)


def _render_card(
    request: AuthedHttpRequest,
    session: PracticeSession,
    *,
    item: SessionItem | None = None,
    current: SessionItem | None = None,
    notice: str = "",
    form=None,
) -> HttpResponse:
    """The card fragment for htmx, the whole session page otherwise (`item`: the question
    to show, an answered one with its result; `current`: the first unanswered one, if fetched)."""
    context = session.card_at(timezone.now(), item=item, current=current)
    context.update(notice=notice, form=form)
    template = "practice/_session_card.html" if request.htmx else "practice/session.html"
    return render(request, template, context)


def _after_answer(
    request: AuthedHttpRequest,
    session: PracticeSession,
    *,
    notice: str = "",
    show_item: SessionItem | None = None,
) -> HttpResponse:
    """Where a POST on a session leads: the next card, the item's result, or the summary."""
    show_result = show_item is not None and show_item.is_answered
    if session.is_finished and not show_result:
        if notice:
            messages.info(request, notice)
        url = reverse("practice:summary", args=[session.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        return _render_card(request, session, notice=notice, item=show_item)
    if notice:
        messages.info(request, notice)
    url = reverse("practice:session", args=[session.pk])
    if show_result:
        url += f"?item={show_item.pk}"
    return redirect(url)


def _published_question(slug: str) -> Question:
    return get_object_or_404(Question.objects.published().select_related("topic"), slug=slug)


def _recent_sessions(user, limit: int):
    return PracticeSession.objects.for_user(user)[:limit]


# --- starting ------------------------------------------------------------------------------------


def _initial_from_query(request: AuthedHttpRequest) -> dict:
    """Links such as /practice/?mode=review&topics=3 or /practice/?kinds=orm preselect the
    form."""
    initial = {"track": request.user.target_track_id}
    if request.GET.get("mode") in Mode.values:
        initial["mode"] = request.GET["mode"]
    topics = [pk for pk in map(parse_id, request.GET.getlist("topics")) if pk is not None]
    if topics:
        initial["topics"] = topics
    kinds = [kind for kind in request.GET.getlist("kinds") if kind in Kind.values]
    if kinds:
        initial["kinds"] = kinds
    return initial


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = StartForm(request.POST)
        if form.is_valid():
            try:
                session = services.start_practice(
                    user=request.user, request=form.practice_request(), rng=_rng()
                )
            except NothingToPractise as error:
                form.add_error(None, str(error))
            else:
                return redirect("practice:session", pk=session.pk)
    else:
        form = StartForm(initial=_initial_from_query(request))
    return render(
        request,
        "practice/start.html",
        {"form": form, "recent_sessions": _recent_sessions(request.user, RECENT_SESSIONS)},
    )


def _start_response(request: AuthedHttpRequest, session: PracticeSession) -> HttpResponse:
    url = reverse("practice:session", args=[session.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def practise_question(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """The "Practise this" button on a question page: a one-question study session."""
    question = _published_question(slug)
    session = services.start_session_with_questions(
        user=request.user, mode=Mode.STUDY, questions=[question], filters={"question": slug}
    )
    return _start_response(request, session)


@login_required
@require_POST
def practise_mistakes(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for(request.user, pk)
    try:
        new_session = services.practise_mistakes_from(session=session)
    except NothingToPractise as error:
        messages.info(request, str(error))
        return redirect("practice:summary", pk=session.pk)
    return _start_response(request, new_session)


# --- the session page and its answers ------------------------------------------------------------


@login_required
@require_safe
def session_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    if "item" in request.GET:
        item_pk = parse_id(request.GET["item"])
        if item_pk is None:
            raise Http404("No such question in this session.")
        item = _get_item_for(request.user, pk, item_pk)
        return _render_card(request, item.session, item=item)
    session, current = _session_and_current_item(request.user, pk)
    return _render_card(request, session, current=current)


def _refuse(request: AuthedHttpRequest, session: PracticeSession, message: str) -> HttpResponse:
    """An action that does not fit the question (say, grading a multiple-choice one)."""
    return _after_answer(request, session, notice=message)


@login_required
@require_POST
def reveal(request: AuthedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _get_item_for(request.user, pk, item_pk)
    session = item.session
    if session.is_mock or item.question.kind in CHECKED_KINDS:
        return _refuse(request, session, "This question has no Show answer step.")
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _render_card(request, session, item=item, form=form)
    item.reveal(response=form.cleaned_data["response"])
    # A refused reveal (answered already, or the session over) just shows where things stand.
    return _after_answer(request, session, notice=FINISHED_NOTICE if session.is_finished else "")


@login_required
@require_POST
def grade(request: AuthedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Again / Hard / Good / Easy: record the grade, update the schedule, show the next card."""
    item = _get_item_for(request.user, pk, item_pk)
    session = item.session
    if session.is_mock or item.question.kind in CHECKED_KINDS:
        return _refuse(request, session, "This question is not graded that way.")
    form = GradeForm(request.POST)
    if not form.is_valid():
        return _refuse(request, session, "Choose Again, Hard, Good or Easy.")
    outcome = item.record_grade(
        form.cleaned_data["rating"], response=form.cleaned_data["response"] or None
    )
    return _after_answer(request, session, notice=_notice_for(outcome, session))


@login_required
@require_POST
def check(request: AuthedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """A multiple-choice answer, or what a snippet prints: graded on the server, then shown
    marked right or wrong (the choices, or the predicted lines against the printed ones)."""
    item = _get_item_for(request.user, pk, item_pk)
    session = item.session
    if session.is_mock or item.question.kind not in CHECKED_KINDS:
        return _refuse(request, session, "This question has no answer to check.")
    if item.is_answered:
        notice = NOTICES[Outcome.ALREADY_ANSWERED]
        return _after_answer(request, session, notice=notice, show_item=item)
    if item.question.kind == Kind.PREDICT_OUTPUT:
        form = PredictionForm(request.POST)
        if not form.is_valid():
            return _render_card(request, session, item=item, form=form)
        outcome = item.record_prediction(form.cleaned_data["response"])
    else:
        prefetch_related_objects([item], "question__choices")
        form = QuizForm(request.POST, question=item.question)
        if not form.is_valid():
            return _render_card(request, session, item=item, form=form)
        outcome = item.record_choices(form.chosen_ids())
    if outcome == Outcome.CLOSED:
        return _after_answer(request, session, notice=_notice_for(outcome, session))
    answered = _get_item_for(request.user, session.pk, item.pk)  # as recorded (maybe by a twin)
    return _after_answer(request, session, notice=_notice_for(outcome, session), show_item=answered)


@login_required
@require_POST
def submit_code(request: AuthedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Submit on a coding, practical or SQL card: the code (or query) and the results of every
    test (or check), run in the candidate's browser. Stored as the browser's word (they are
    never proof)."""
    item = _get_item_for(request.user, pk, item_pk)
    session = item.session
    if item.question.kind == Kind.SQL:
        checks = item.question.sql_checks()
        if checks is None:
            return _refuse(request, session, "This question has no query to check.")
        form = QuerySubmissionForm(request.POST, checks=checks)
    else:
        prefetch_related_objects([item], "question__tests")
        if not item.question.has_tests_to_run:
            return _refuse(request, session, "This question has no tests to run.")
        form = CodeSubmissionForm(request.POST, tests=item.question.tests.all())
    if not form.is_valid():
        return _refuse(request, session, f"Nothing was saved: {form.error_text()}")
    outcome = item.record_submission(
        code=form.cleaned_data["code"], results=form.cleaned_data["results"]
    )
    if outcome != Outcome.RECORDED or session.is_mock:
        return _after_answer(request, session, notice=_notice_for(outcome, session))
    # Back to the same card, now showing the stored results (and the solution after a pass).
    if request.htmx:
        return _render_card(request, session, item=_get_item_for(request.user, pk, item.pk))
    return redirect("practice:session", pk=session.pk)


@login_required
@require_POST
def mock_answer(request: AuthedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """A typed mock-interview answer; refused after the time limit."""
    item = _get_item_for(request.user, pk, item_pk)
    session = item.session
    if not session.is_mock:
        return _refuse(request, session, "Only mock interviews take typed answers this way.")
    predicts = item.question.kind == Kind.PREDICT_OUTPUT  # kept as typed: spaces are output
    form = (MockPredictionForm if predicts else MockAnswerForm)(request.POST)
    if not form.is_valid():
        return _render_card(request, session, item=item, form=form)
    outcome = item.record_mock_answer(form.cleaned_data["response"])
    return _after_answer(request, session, notice=_notice_for(outcome, session))


def _covered_points(request: AuthedHttpRequest) -> dict[int, list[int]]:
    """covered-<item id>=<key point index> pairs from the assessment form; junk (a field or a
    value that is not a plain number) is dropped, and the rest of the form still counts."""
    covered: dict[int, list[int]] = {}
    for name in request.POST:
        prefix, _, item_pk = name.partition("-")
        if prefix != "covered" or (number := parse_id(item_pk)) is None:
            continue
        points = map(parse_id, request.POST.getlist(name))
        covered[number] = [point for point in points if point is not None]
    return covered


@login_required
@require_POST
def assess(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The end of a mock interview: the key points the candidate covered score each answer."""
    session = _get_session_for(request.user, pk)
    if not session.is_mock:
        raise Http404("Only mock interviews are assessed.")
    try:
        session.assess(_covered_points(request))
    except ValueError:
        return _after_answer(
            request, session, notice="Answer the questions (or end the interview) first."
        )
    return _after_answer(request, session)


@login_required
@require_POST
def finish(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """End the session early: scored on what was answered (a mock moves on to scoring)."""
    session = _get_session_for(request.user, pk)
    outcome = session.finish()
    if outcome == Outcome.CLOSED:
        messages.info(request, FINISHED_NOTICE)
    if session.is_finished:
        url = reverse("practice:summary", args=[session.pk])
    else:
        url = reverse("practice:session", args=[session.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- summary -------------------------------------------------------------------------------------


def _results_by_topic(items: list[SessionItem]) -> list[dict]:
    """The summary's per-topic rows, from items loaded with their questions' topics."""
    rows: dict[int, dict] = {}
    for item in items:
        topic = item.question.topic
        row = rows.setdefault(
            topic.pk,
            {"topic": topic, "questions": 0, "answered": 0, "correct": 0, "scores": []},
        )
        row["questions"] += 1
        row["answered"] += item.answered_at is not None
        row["correct"] += item.is_correct is True
        if item.score is not None:
            row["scores"].append(item.score)
    ordered = sorted(rows.values(), key=lambda row: (row["topic"].position, row["topic"].name))
    for row in ordered:
        scores = row.pop("scores")
        row["score"] = sum(scores) / len(scores) if scores else None
    return ordered


@login_required
@require_safe
def summary(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for(request.user, pk)
    if session.is_mock and not session.is_finished:
        # Model answers stay hidden until the interview is scored.
        return redirect("practice:session", pk=session.pk)
    items = list(
        session.items.select_related("question__topic").prefetch_related(
            "selected_choices", Prefetch("question__choices")
        )
    )
    feedback = {}
    if session.assignment_id:
        # The mentor's feedback threads, marked read. Imported here, not at the top: mentoring
        # builds on practice.
        from mentoring.services import feedback_for_summary

        feedback = feedback_for_summary(session=session, items=items, reader=request.user)
    # A session holds at most 50 items, all loaded above: its totals need no more queries.
    spent = [item.time_spent for item in items if item.time_spent is not None]
    return render(
        request,
        "practice/summary.html",
        {
            "session": session,
            "items": items,
            "topics": _results_by_topic(items),
            "time_spent": sum(spent, timedelta()) if spent else None,
            "correct": sum(1 for item in items if item.is_correct),
            "mistakes": sum(1 for item in items if item.was_missed),
            **feedback,
        },
    )


# --- dashboard -----------------------------------------------------------------------------------


@login_required
@require_safe
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    data = stats.dashboard_for(user, now=timezone.now())
    leeches = []
    if data.leech_count:  # counted with the cards: most candidates have none, and no query then
        leeches = (
            ReviewCard.objects.for_user(user)
            .published()
            .leeches()
            .select_related("question__topic")
            .order_by("-lapses", "pk")[:DASHBOARD_LEECHES]
        )
    return render(
        request,
        "practice/dashboard.html",
        {
            "data": data,
            "recent_sessions": _recent_sessions(user, DASHBOARD_SESSIONS),
            "leeches": leeches,
            "leech_lapses": ReviewCard.LEECH_LAPSES,
        },
    )


# --- bookmarks and notes -------------------------------------------------------------------------


@login_required
@require_POST
def bookmark(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """Set the bookmark to the state the button asks for (so a double post changes nothing)."""
    question = _published_question(slug)
    bookmarked = services.set_bookmark(
        user=request.user, question=question, bookmarked=request.POST.get("bookmarked") == "1"
    )
    if request.htmx:
        return render(
            request,
            "practice/_bookmark_button.html",
            {"question": question, "is_bookmarked": bookmarked, "next": safe_next_url(request)},
        )
    messages.success(request, "Bookmarked." if bookmarked else "Bookmark removed.")
    return redirect(safe_next_url(request, question.get_absolute_url()))


@login_required
@require_POST
def note(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    question = _published_question(slug)
    form = NoteForm(request.POST)
    if form.is_valid():
        saved = services.save_note(
            user=request.user, question=question, body=form.cleaned_data["body"]
        )
        status = "Note saved." if saved else "Note deleted."
        if not request.htmx:
            messages.success(request, status)
            return redirect(safe_next_url(request, question.get_absolute_url()))
        form = NoteForm(initial={"body": saved.body if saved else ""})
    else:
        status = ""
    context = {
        "question": question,
        "note_form": form,
        "note_status": status,
        "next": safe_next_url(request),
    }
    if request.htmx:
        return render(request, "practice/_note_form.html", context)
    # Without JavaScript, a rejected note comes back on a page of its own, with its message.
    return render(request, "practice/note.html", context, status=400)


@login_required
@require_safe
def bookmarks(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    marked = (
        Bookmark.objects.filter(user=user, question__status=Status.PUBLISHED)
        .select_related("question__topic")
        .order_by("-created_at", "-pk")
    )
    notes = (
        Note.objects.filter(user=user, question__status=Status.PUBLISHED)
        .select_related("question__topic")
        .order_by("-updated_at", "-pk")
    )
    return render(request, "practice/bookmarks.html", {"bookmarks": marked, "notes": notes})


@login_required
@require_POST
def practise_bookmarks(request: AuthedHttpRequest) -> HttpResponse:
    try:
        session = services.practise_bookmarks(user=request.user)
    except NothingToPractise as error:
        messages.info(request, str(error))
        return redirect("practice:bookmarks")
    return _start_response(request, session)
