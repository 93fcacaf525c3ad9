"""Mentoring pages: the mentor's area (/mentor/...), invites, the candidate's assignments and the
feedback threads. Every mentor view checks the live Mentorship, so ending one ends access."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Mentorship, User
from mentoring import services
from mentoring.forms import (
    AddQuestionForm,
    AssignmentForm,
    CommentForm,
    MoveForm,
    QuestionSetForm,
    SearchForm,
)
from mentoring.mastery import mastery_by_topic
from mentoring.models import (
    Assignment,
    AssignmentStatus,
    FeedbackComment,
    count_of,
    last_answer_at,
    live_mentorship,
)
from practice.models import SessionItem
from prep.forms import parse_id
from prep.http import AuthedHttpRequest, safe_next_url
from questions.models import Kind, Question, QuestionSet, QuestionSetItem

PENDING_LIMIT = 25
SEARCH_LIMIT = 20


# --- helpers --------------------------------------------------------------------------------------


def in_users_time_zone(view: Callable) -> Callable:
    """Show and read dates in the signed-in user's own time zone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(request.user.zone):
            return view(request, *args, **kwargs)

    return wrapper


def mentor_required(view: Callable) -> Callable:
    """Signed in and in the Mentors group; anyone else signed in gets a 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_mentor:
            return render(request, "mentoring/not_a_mentor.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(in_users_time_zone(wrapper))


def _get_mentorship_for(mentor: User, candidate_id: int) -> Mentorship:
    """The live mentorship of `mentor` over `candidate_id`, with the candidate and their last
    answer; 404 for anyone who is not (or no longer) the mentor's mentee."""
    return get_object_or_404(
        Mentorship.objects.select_related("candidate").annotate(
            last_activity=last_answer_at(OuterRef("candidate_id"))
        ),
        mentor=mentor,
        # Through the relation, so that an id beyond 64 bits is "no such row" on SQLite too
        # (candidate_id= hands it to SQLite as it is, which overflows).
        candidate__pk=candidate_id,
    )


def _get_set_for(mentor: User, pk: int) -> QuestionSet:
    """One of the mentor's own sets; 404 for anyone else's."""
    return get_object_or_404(QuestionSet, pk=pk, owner=mentor)


def _get_thread_item_for(user: User, item_pk: int) -> SessionItem:
    """An answer from an assignment session that `user` gave, or that `user` assigned as the
    candidate's mentor while the mentorship stands; 404 otherwise. Annotated with thread_is_live
    (the mentorship still stands)."""
    items = (
        SessionItem.objects.select_related(
            "question",
            "session__user",
            "session__assignment__mentor",
            "session__assignment__question_set",
        )
        .filter(pk=item_pk, session__assignment__isnull=False)
        .annotate(
            thread_is_live=live_mentorship(
                mentor=OuterRef("session__assignment__mentor_id"),
                candidate=OuterRef("session__user_id"),
            )
        )
    )
    if user.is_mentor:
        items = items.filter(
            Q(session__user=user) | Q(session__assignment__mentor=user, thread_is_live=True)
        )
    else:
        items = items.filter(session__user=user)
    return get_object_or_404(items)


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Something was wrong with that request."


def _search_bank(query: str) -> QuerySet[Question]:
    """Published questions matching `query` (the bank's own search when it has one)."""
    questions = Question.objects.published()
    search = getattr(questions, "search", None)
    if callable(search):
        questions = search(query)
    else:
        questions = questions.filter(Q(title__icontains=query) | Q(prompt__icontains=query))
    return questions.select_related("topic")


# --- the mentor's home ----------------------------------------------------------------------------


@mentor_required
@require_safe
def home(request: AuthedHttpRequest) -> HttpResponse:
    mentor = request.user
    now = timezone.now()
    mine = Assignment.objects.filter(mentor=mentor, candidate=OuterRef("candidate_id"))
    # 1. the mentees, with last activity, open and overdue assignments and unread replies
    mentorships = list(
        Mentorship.objects.filter(mentor=mentor)
        .select_related("candidate")
        .annotate(
            last_activity=last_answer_at(OuterRef("candidate_id")),
            open_count=count_of(mine.unfinished()),
            overdue_count=count_of(mine.unfinished().filter(due_at__lt=now)),
            unread_count=count_of(
                FeedbackComment.objects.filter(
                    item__session__assignment__mentor=mentor,
                    item__session__user=OuterRef("candidate_id"),
                    read_at__isnull=True,
                ).exclude(author=mentor)
            ),
        )
        .order_by("candidate__first_name", "candidate__last_name", "candidate__username")
    )
    # 2, 3. mastery per topic for all of them at once
    mastery = mastery_by_topic(Mentorship.objects.filter(mentor=mentor).values("candidate_id"))
    for mentorship in mentorships:
        topics = mastery.get(mentorship.candidate_id, [])
        mentorship.weakest_topics = sorted(topics, key=lambda t: (t.percent, t.name))[:4]
        mentorship.topic_count = len(topics)
    # 4. assignments still open, soonest due first
    pending = list(
        Assignment.objects.filter(mentor=mentor)
        .live()
        .unfinished()
        .with_progress()
        .select_related("candidate", "question_set")
        .order_by("due_at", "pk")[: PENDING_LIMIT + 1]
    )
    token = services.make_invite_token(mentor)
    context = {
        "mentorships": mentorships,
        "pending": pending[:PENDING_LIMIT],
        "more_pending": len(pending) > PENDING_LIMIT,
        "invite_url": request.build_absolute_uri(reverse("mentoring:invite", args=[token])),
        "invite_expires_at": services.invite_expires_at(),
    }
    return render(request, "mentoring/home.html", context)


# --- invites and ending ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: AuthedHttpRequest, token: str) -> HttpResponse:
    try:
        mentor = services.mentor_from_invite(token)
    except services.MentoringError as error:
        return render(request, "mentoring/invite.html", {"problem": str(error)}, status=400)
    problem = services.invite_problem(mentor=mentor, candidate=request.user)
    if request.method == "POST" and problem is None:
        try:
            services.accept_invite(mentor=mentor, candidate=request.user)
        except services.MentoringError as error:
            problem = str(error)
        else:
            messages.success(
                request,
                f"{mentor} is now your mentor: they will see your assignments, the answers you "
                "give in them, and your mastery per topic.",
            )
            return redirect("mentoring:assignments")
    status = 400 if problem and request.method == "POST" else 200
    return render(
        request, "mentoring/invite.html", {"mentor": mentor, "problem": problem}, status=status
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def end_mentorship(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    mentorship = get_object_or_404(
        Mentorship.objects.select_related("mentor", "candidate").filter(
            Q(mentor=user) | Q(candidate=user)
        ),
        pk=pk,
    )
    as_mentor = mentorship.mentor_id == user.pk
    if request.method == "POST":
        mentorship.delete()
        if as_mentor:
            messages.success(request, f"You no longer mentor {mentorship.candidate}.")
            return redirect("mentoring:home")
        messages.success(request, f"{mentorship.mentor} is no longer your mentor.")
        return redirect("profile")
    return render(
        request,
        "mentoring/end_mentorship.html",
        {"mentorship": mentorship, "as_mentor": as_mentor},
    )


# --- a mentee -------------------------------------------------------------------------------------


@mentor_required
@require_safe
def mentee(request: AuthedHttpRequest, candidate_id: int) -> HttpResponse:
    mentor = request.user
    # 1. the live mentorship (404 otherwise) with the candidate and their last activity
    mentorship = _get_mentorship_for(mentor, candidate_id)
    candidate = mentorship.candidate
    # 2. this mentor's assignments to them, with progress and unread replies; 3-8. their
    # sessions, every answer with its question, each answer's thread, its question's tests,
    # choices and the choices picked
    assignments = list(Assignment.objects.given(mentor=mentor, candidate=candidate).with_attempts())
    # Opening the page reads the candidate's replies (after fetching, so new ones show as new).
    # unread_count counts, per assignment, the same comments the UPDATE would mark: none unread
    # (most views), no UPDATE.
    if any(assignment.unread_count for assignment in assignments):
        FeedbackComment.objects.filter(
            item__session__assignment__mentor=mentor, item__session__user=candidate
        ).mark_read_by(mentor)
    # 9. the published questions per topic (one grouped query); 10. the candidate's cards per
    # topic: aggregate mastery is all a mentor sees of private practice
    mastery = mastery_by_topic([candidate.pk]).get(candidate.pk, [])
    context = {
        "mentorship": mentorship,
        "candidate": candidate,
        "assignments": assignments,
        "mastery": mastery,
        "thread_open": True,
        "thread_as_mentor": True,
    }
    return render(request, "mentoring/mentee.html", context)


# --- question sets --------------------------------------------------------------------------------


@mentor_required
@require_http_methods(["GET", "HEAD", "POST"])
def sets(request: AuthedHttpRequest) -> HttpResponse:
    mentor = request.user
    form = QuestionSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question_set = services.save_question_set(
            owner=mentor,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, f"Set “{question_set.title}” created: now add questions.")
        return redirect("mentoring:set_detail", pk=question_set.pk)
    question_sets = (
        QuestionSet.objects.filter(owner=mentor)
        .annotate(
            question_count=count_of(QuestionSetItem.objects.filter(question_set=OuterRef("pk"))),
            assignment_count=count_of(Assignment.objects.filter(question_set=OuterRef("pk"))),
        )
        .order_by("-updated_at", "pk")
    )
    return render(request, "mentoring/sets.html", {"question_sets": question_sets, "form": form})


def _builder_context(
    question_set: QuestionSet,
    *,
    details_form: QuestionSetForm | None = None,
    search_form: SearchForm | None = None,
    results: list[Question] | None = None,
) -> dict:
    items = list(question_set.items.select_related("question__topic").order_by("position", "pk"))
    details_form = details_form or QuestionSetForm(
        initial={"title": question_set.title, "description": question_set.description}
    )
    return {
        "question_set": question_set,
        "items": items,
        "in_set": {item.question_id for item in items},
        "details_form": details_form,
        "search_form": search_form or SearchForm(),
        "results": results,
        "max_set_size": services.MAX_SET_SIZE,
    }


@mentor_required
@require_http_methods(["GET", "HEAD", "POST"])
def set_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question_set = _get_set_for(request.user, pk)
    if request.method != "POST":
        return render(request, "mentoring/set_detail.html", _builder_context(question_set))
    form = QuestionSetForm(request.POST)
    saved = form.is_valid()
    if saved:
        services.save_question_set(
            owner=request.user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            question_set=question_set,
        )
    if request.htmx:
        context = {"question_set": question_set, "details_form": form, "saved": saved}
        return render(request, "mentoring/_set_details.html", context)
    if saved:
        messages.success(request, "Set details saved.")
        return redirect("mentoring:set_detail", pk=question_set.pk)
    return render(
        request, "mentoring/set_detail.html", _builder_context(question_set, details_form=form)
    )


def _search_results(question_set: QuestionSet, form: SearchForm) -> list[Question] | None:
    """The questions matching the search, or None when there is nothing to search for."""
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return None
    return list(_search_bank(form.cleaned_data["q"].strip())[:SEARCH_LIMIT])


@mentor_required
@require_safe
def set_search(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question_set = _get_set_for(request.user, pk)
    form = SearchForm(request.GET)
    results = _search_results(question_set, form)
    # A history restore (back button after hx-push-url) wants the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        in_set = set(question_set.items.values_list("question_id", flat=True))
        context = {
            "question_set": question_set,
            "search_form": form,
            "results": results,
            "in_set": in_set,
            "announce": True,
        }
        return render(request, "mentoring/_set_search_results.html", context)
    context = _builder_context(question_set, search_form=form, results=results)
    return render(request, "mentoring/set_detail.html", context)


def _items_changed(
    request: AuthedHttpRequest, question_set: QuestionSet, *, status: str, error: str = ""
) -> HttpResponse:
    """After add, remove or move: htmx gets the items (and the search results, refreshed, when a
    search is on screen); a plain form goes back to the builder with a message."""
    query = request.POST.get("q", "")[:100].strip()
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, status)
        target = reverse("mentoring:set_detail", args=[question_set.pk])
        if query:
            search = reverse("mentoring:set_search", args=[question_set.pk])
            target = f"{search}?{urlencode({'q': query})}"
        return redirect(f"{target}#set-items")
    search_form = SearchForm({"q": query})
    context = _builder_context(
        question_set,
        search_form=search_form,
        results=_search_results(question_set, search_form) if query else None,
    )
    context.update({"status": error or status, "item_error": error, "refresh_results": bool(query)})
    return render(request, "mentoring/_set_items_changed.html", context)


@mentor_required
@require_POST
def set_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question_set = _get_set_for(request.user, pk)
    form = AddQuestionForm(request.POST)
    if not form.is_valid():
        return _items_changed(request, question_set, status="", error=_first_error(form))
    question = form.cleaned_data["question"]
    try:
        services.add_question_to_set(question_set=question_set, question=question)
    except services.MentoringError as error:
        return _items_changed(request, question_set, status="", error=str(error))
    return _items_changed(request, question_set, status=f"Added “{question.title}”.")


def _get_item_for(question_set: QuestionSet, item_pk: int) -> QuestionSetItem:
    return get_object_or_404(
        QuestionSetItem.objects.select_related("question"), pk=item_pk, question_set=question_set
    )


@mentor_required
@require_POST
def set_remove(request: AuthedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    question_set = _get_set_for(request.user, pk)
    item = _get_item_for(question_set, item_pk)
    services.remove_item(item=item)
    return _items_changed(request, question_set, status=f"Removed “{item.question.title}”.")


@mentor_required
@require_POST
def set_move(request: AuthedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    question_set = _get_set_for(request.user, pk)
    item = _get_item_for(question_set, item_pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _items_changed(request, question_set, status="", error=_first_error(form))
    direction = form.cleaned_data["direction"]
    if not services.move_item(item=item, direction=direction):
        edge = "first" if direction == "up" else "last"
        return _items_changed(
            request, question_set, status="", error=f"“{item.question.title}” is already {edge}."
        )
    return _items_changed(
        request, question_set, status=f"Moved “{item.question.title}” {direction}."
    )


@mentor_required
@require_POST
def set_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question_set = _get_set_for(request.user, pk)
    if question_set.assignments.exists():
        messages.error(
            request,
            f"“{question_set.title}” has been assigned, so it stays: your mentees' work and "
            "your feedback hang on it.",
        )
        return redirect("mentoring:set_detail", pk=question_set.pk)
    question_set.delete()
    messages.success(request, f"Deleted the set “{question_set.title}”.")
    return redirect("mentoring:sets")


# --- assigning ------------------------------------------------------------------------------------


@mentor_required
@require_http_methods(["GET", "HEAD", "POST"])
def assign(request: AuthedHttpRequest) -> HttpResponse:
    mentor = request.user
    if request.method == "POST":
        form = AssignmentForm(request.POST, mentor=mentor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.assign_question_set(
                    mentor=mentor,
                    question_set=data["question_set"],
                    candidates=list(data["candidates"]),
                    due_at=data["due_at"],
                    mode=data["mode"],
                    time_limit_minutes=data["time_limit_minutes"],
                    note=data["note"],
                )
            except services.MentoringError as error:
                form.add_error(None, str(error))
            else:
                count = len(created)
                mentees = "1 mentee" if count == 1 else f"{count} mentees"
                messages.success(request, f"Assigned “{data['question_set'].title}” to {mentees}.")
                return redirect("mentoring:home")
    else:
        # Links such as ?set=3&mentee=7 preselect the form; anything else in them is ignored.
        initial = {}
        if (set_pk := parse_id(request.GET.get("set"))) is not None:
            initial["question_set"] = set_pk
        if (mentee_pk := parse_id(request.GET.get("mentee"))) is not None:
            initial["candidates"] = [mentee_pk]
        form = AssignmentForm(initial=initial, mentor=mentor)
    context = {
        "form": form,
        "has_mentees": form.fields["candidates"].queryset.exists(),
        "has_sets": form.fields["question_set"].queryset.exists(),
    }
    return render(request, "mentoring/assign.html", context)


@mentor_required
@require_POST
def withdraw(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.live().select_related("candidate", "question_set"),
        pk=pk,
        mentor=request.user,
    )
    if assignment.sessions.exists():
        messages.error(
            request,
            f"{assignment.candidate} has started “{assignment.question_set}”, so it stays.",
        )
    else:
        assignment.delete()
        messages.success(request, f"Withdrew “{assignment.question_set}”.")
    return redirect("mentoring:mentee", candidate_id=assignment.candidate_id)


# --- the candidate's side -------------------------------------------------------------------------


@login_required
@in_users_time_zone
@require_safe
def assignments(request: AuthedHttpRequest) -> HttpResponse:
    # 1. everything, in one query
    every = list(Assignment.objects.for_candidate(request.user))
    to_do = [a for a in every if a.status != AssignmentStatus.COMPLETED]
    done = [a for a in every if a.status == AssignmentStatus.COMPLETED]
    done.sort(key=lambda a: a.completed_at, reverse=True)
    return render(request, "mentoring/assignments.html", {"to_do": to_do, "done": done})


@login_required
@require_POST
def start(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.live().select_related("question_set"), pk=pk, candidate=request.user
    )
    try:
        session, created = services.start_assignment(assignment=assignment, user=request.user)
    except services.MentoringError as error:
        messages.error(request, str(error))
        return redirect("mentoring:assignments")
    if not created:
        messages.info(request, "Picking up where you left off.")
    return redirect("practice:session", pk=session.pk)


# --- feedback threads -----------------------------------------------------------------------------


@login_required
@in_users_time_zone
@require_http_methods(["GET", "HEAD", "POST"])
def thread(request: AuthedHttpRequest, item_pk: int) -> HttpResponse:
    user = request.user
    item = _get_thread_item_for(user, item_pk)
    session = item.session
    as_mentor = session.user_id != user.pk
    thread_url = reverse("mentoring:thread", args=[item.pk])
    fallback = (
        reverse("mentoring:mentee", args=[session.user_id])
        if as_mentor
        else reverse("practice:summary", args=[session.pk])
    )
    form = CommentForm(request.POST or None)
    comment_sent = False
    if request.method == "POST":
        if not item.thread_is_live:
            form.add_error(None, "This mentorship has ended, so the thread is closed.")
        elif not item.is_answered:
            form.add_error(None, "This question has not been answered yet.")
        elif form.is_valid():
            services.post_comment(
                item=item,
                author=user,
                body=form.cleaned_data["body"],
                thread_url=request.build_absolute_uri(thread_url),
            )
            if not request.htmx:
                messages.success(request, "Comment sent.")
                return redirect(f"{safe_next_url(request, thread_url)}#thread-{item.pk}")
            form, comment_sent = CommentForm(), True
    prefetch_related_objects(
        [item],
        Prefetch("comments", queryset=FeedbackComment.objects.select_related("author")),
        "question__tests",
    )
    if item.question.kind == Kind.MULTIPLE_CHOICE:
        prefetch_related_objects([item], "question__choices", "selected_choices")
    FeedbackComment.objects.filter(item=item).mark_read_by(user)
    context = {
        "item": item,
        "session": session,
        "assignment": session.assignment,
        "comment_form": form,
        "comment_sent": comment_sent,
        "thread_open": item.thread_is_live,
        "thread_as_mentor": as_mentor,
        "thread_next": safe_next_url(request, thread_url),
        "back_url": fallback,
    }
    if request.htmx:
        return render(request, "mentoring/_thread.html", context)
    return render(request, "mentoring/thread.html", context)
