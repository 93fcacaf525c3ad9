"""The editors' curation pages in the admin: the Needs editing queue and the problem reports.

- **Needs editing** (/admin/curation/needsediting/): every question with a reason from the item
  analysis or an open problem report, each reason with the figures behind it and a "Dealt with"
  button, each report with a reply box that resolves it.
- **Problem reports** (/admin/curation/problemreport/): every report, open and resolved, to
  search and read.

Both buttons post to small views of their own and come back to the page they were pressed on
(the queue, or a question's change page, which shows the same panel).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from curation import services
from curation.analysis import MIN_ATTEMPTS
from curation.forms import DealtWithForm, ResolveForm
from curation.models import DealtWith, NeedsEditing, ProblemReport, Reason
from prep.forms import parse_id
from prep.http import safe_next_url
from questions.models import Question

QUEUE_PAGE_SIZE = 50


def _open_reports():
    return ProblemReport.objects.open()


def _open_report_count():
    """A correlated COUNT(*) of the question's open reports, in the same query."""
    counted = (
        _open_reports()
        .filter(question=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def needing_edits():
    """The questions in the queue: a reason from the analysis, or an open report. Those with
    the most open reports come first, then those with the most reasons."""
    return (
        Question.objects.filter(
            Q(statistics__reason_count__gt=0)
            | Exists(_open_reports().filter(question=OuterRef("pk")))
        )
        .select_related("topic", "statistics")
        .defer(
            "prompt",
            "prompt_html",
            "answer",
            "answer_html",
            "starter_code",
            "starter_code_html",
            "solution_code",
            "solution_code_html",
            "hints_html",
            "snippet",
            "snippet_html",
        )
        .annotate(open_report_count=_open_report_count())
        .prefetch_related(
            Prefetch(
                "problem_reports",
                queryset=_open_reports().select_related("reporter").order_by("created_at", "pk"),
                to_attr="open_reports",
            )
        )
        .order_by(
            "-open_report_count", F("statistics__reason_count").desc(nulls_last=True), "title"
        )
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next_url(request, fallback))


@admin.register(NeedsEditing)
class NeedsEditingAdmin(admin.ModelAdmin):
    """The queue. Only its own two views: the list and "Dealt with" (a proxy model has
    Django's add, change and delete views too, which would edit questions a second way)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "",
                self.admin_site.admin_view(self.queue_view),
                name="curation_needsediting_changelist",
            ),
            path(
                "<path:object_id>/dealt-with/",
                self.admin_site.admin_view(require_POST(self.dealt_with_view)),
                name="curation_needsediting_dealt_with",
            ),
        ]

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(needing_edits(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "admin/curation/needs_editing.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Needs editing",
                "page": page,
                "min_attempts": MIN_ATTEMPTS,
                "can_change": self.has_change_permission(request),
                "can_resolve": request.user.has_perm("curation.change_problemreport"),
                "here": request.get_full_path(),
            },
        )

    def dealt_with_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        pk = parse_id(object_id)
        if pk is None:
            raise Http404("No such question.")
        question = get_object_or_404(Question.objects.only("pk", "title"), pk=pk)
        form = DealtWithForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was marked: that is not a reason of the queue.")
        else:
            reason = form.cleaned_data["reason"]
            services.mark_dealt_with(
                question=question,
                reason=reason,
                editor=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                f"\u201c{Reason(reason).label}\u201d on \u201c{question}\u201d is marked dealt "
                "with. It comes back only if the answers given after the question's next change "
                "show it again.",
            )
        return _back(request, reverse("admin:curation_needsediting_changelist"))


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    """Every report, to search and read; "Resolve" (a reply) is a view of its own, used by the
    queue and the question's change page."""

    list_display = (
        "question_link",
        "problem",
        "reporter",
        "times_reported",
        "last_reported_at",
        "status",
    )
    # The question column links to the question: the report's own page opens from its problem
    # (a link inside the row's link would be a link in a link).
    list_display_links = ("problem",)
    list_filter = ("problem", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("question", "reporter")
    search_fields = ("question__title", "comment", "reply", "reporter__username")
    list_per_page = 50
    show_full_result_count = False  # one COUNT, not two
    ordering = ("-last_reported_at", "-pk")
    fields = (
        "question",
        "reporter",
        "problem",
        "comment",
        "wants_email",
        "times_reported",
        "created_at",
        "last_reported_at",
        "resolved_at",
        "resolved_by",
        "reply",
        "emailed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # candidates report; editors resolve

    def has_change_permission(self, request, obj=None) -> bool:
        # The report itself is the candidate's words: read-only here. Resolving is the change
        # editors make, through resolve_view (which checks the change permission itself).
        return False

    @admin.display(description="Question", ordering="question__title")
    def question_link(self, report: ProblemReport) -> str:
        url = reverse("admin:questions_question_change", args=[report.question_id])
        return format_html('<a href="{}">{}</a>', url, report.question.title)

    @admin.display(description="Status", ordering="resolved_at")
    def status(self, report: ProblemReport) -> str:
        if report.is_open:
            return "Open"
        return f"Resolved {report.resolved_at:%Y-%m-%d}"

    def get_urls(self):
        resolve = path(
            "<path:object_id>/resolve/",
            self.admin_site.admin_view(require_POST(self.resolve_view)),
            name="curation_problemreport_resolve",
        )
        return [resolve, *super().get_urls()]

    def resolve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm("curation.change_problemreport"):
            raise PermissionDenied
        pk = parse_id(object_id)
        if pk is None:
            raise Http404("No such report.")
        report = get_object_or_404(ProblemReport.objects.select_related("question"), pk=pk)
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["reply"]))
        else:
            question = report.question
            resolved = services.resolve_report(
                report=report,
                editor=request.user,
                reply=form.cleaned_data["reply"],
                origin=f"{request.scheme}://{request.get_host()}",
            )
            if resolved:
                told = " and by e-mail" if report.wants_email else ""
                messages.success(
                    request,
                    f"The report on \u201c{question}\u201d is resolved. The candidate sees your "
                    f"reply on their dashboard{told}.",
                )
            else:
                messages.info(request, "That report was already resolved: nothing changed.")
        return _back(request, reverse("admin:curation_needsediting_changelist"))


@admin.register(DealtWith)
class DealtWithAdmin(admin.ModelAdmin):
    """What editors marked dealt with, by whom, when and why: read-only (the queue's "Mark
    dealt with" makes these; deleting one lets its reason back into the queue at the next
    analysis)."""

    list_display = ("question_link", "reason", "dealt_with_by", "dealt_with_at", "note")
    list_display_links = ("reason",)  # the question column links to the question
    list_filter = ("reason",)
    list_select_related = ("question", "dealt_with_by")
    search_fields = ("question__title", "note")
    list_per_page = 50
    show_full_result_count = False  # one COUNT, not two
    ordering = ("-dealt_with_at", "-pk")
    fields = ("question", "reason", "dealt_with_by", "dealt_with_at", "note")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Question", ordering="question__title")
    def question_link(self, mark: DealtWith) -> str:
        url = reverse("admin:questions_question_change", args=[mark.question_id])
        return format_html('<a href="{}">{}</a>', url, mark.question.title)
