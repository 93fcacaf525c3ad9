from datetime import timedelta

from django import template
from django.db.models import Exists, OuterRef, Subquery

from practice.forms import NoteForm
from practice.models import Bookmark, Mode, Note
from questions.models import Question

register = template.Library()

MODE_HELP = {
    Mode.STUDY: "Flash cards: show the answer, grade yourself; spaced repetition schedules them.",
    Mode.QUIZ: "Multiple-choice questions, graded on the spot.",
    Mode.REVIEW: "The cards due for review, most overdue first.",
    Mode.MOCK: "A timed interview loop: coding, concepts, system design, behavioural.",
    Mode.MISTAKES: "Questions you last answered wrong or graded Again.",
}


@register.filter
def mode_help(mode: str) -> str:
    return MODE_HELP.get(mode, "")


@register.filter
def duration(value: timedelta | None) -> str:
    """A short human duration: "45 s", "3 min 20 s", "1 h 5 min"."""
    if value is None:
        return ""
    seconds = max(0, round(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{seconds} s"


@register.inclusion_tag("practice/_question_tools.html", takes_context=True)
def question_tools(context, question):
    """The Bookmark toggle and the private "My notes" box for the signed-in user.

    One query (is it bookmarked, and the note), whatever else is on the page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    tools = {"question": question, "csrf_token": context.get("csrf_token"), "show": False}
    if user is None or not user.is_authenticated:
        return tools
    mine = {"user": user, "question": OuterRef("pk")}
    is_bookmarked, note = (
        Question.objects.filter(pk=question.pk)
        .values_list(
            Exists(Bookmark.objects.filter(**mine)),
            Subquery(Note.objects.filter(**mine).values("body")[:1]),
        )
        .get()
    )
    return {
        **tools,
        "show": True,
        "is_bookmarked": is_bookmarked,
        "note_form": NoteForm(initial={"body": note or ""}),
        "next": request.get_full_path(),
    }
