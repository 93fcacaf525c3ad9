"""The editors' admin: write, review, publish, import, export, preview and revert questions."""

import itertools
import secrets
from typing import NamedTuple

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten, quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BLANK_CHOICE_DASH, Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange, ModelDelta
from simple_history.utils import get_m2m_field_name, get_m2m_reverse_field_name

from accounts.models import User, is_editor_q
from curation import columns as item_analysis
from prep.admin import EmptyToFieldMixin
from prep.forms import parse_id
from questions.bank_files import (
    UPLOAD_MAX_BYTES,
    BankError,
    bank_contents,
    bank_zip,
    load_bank,
    read_uploaded_bank,
    unpack_upload,
)
from questions.models import (
    LIST_COLUMNS,
    MAX_TIME_LIMIT,
    RUNNABLE_KINDS,
    Choice,
    CodeTest,
    Dataset,
    Kind,
    Question,
    QuestionSet,
    QuestionSetItem,
    Status,
    Tag,
    Topic,
    Track,
)
from questions.services import change_status
from questions.snippets import SNIPPET_TIME_LIMIT
from questions.views import render_question

# --- the site: editors only ----------------------------------------------------------------------


def editors_only(request: HttpRequest) -> bool:
    """Only active staff in the Editors group (and superusers) reach the admin; everyone else
    is shown the admin's login page."""
    user = request.user
    return user.is_active and user.is_authenticated and user.is_editor


admin.site.has_permission = editors_only
admin.site.site_header = "Prep admin"
admin.site.site_title = "Prep admin"
admin.site.index_title = "The question bank"


# --- tracks, topics, tags ------------------------------------------------------------------------


class QuestionCountAdmin(EmptyToFieldMixin, admin.ModelAdmin):
    """Shows how many questions each row has: one annotated query, not one per row."""

    @admin.display(description="Questions", ordering="question_count")
    def question_count(self, obj) -> int:
        return obj.question_count

    def get_queryset(self, request):
        # Aggregating drops the model's default ordering; autocomplete pages need one.
        return (
            super()
            .get_queryset(request)
            .annotate(question_count=Count("questions", distinct=True))
            .order_by(*self.model._meta.ordering, "pk")
        )


@admin.register(Track)
class TrackAdmin(QuestionCountAdmin):
    list_display = ("name", "slug", "position", "question_count")
    list_editable = ("position",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Topic)
class TopicAdmin(QuestionCountAdmin):
    list_display = ("name", "slug", "position", "question_count")
    list_editable = ("position",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(QuestionCountAdmin):
    list_display = ("name", "slug", "question_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class DatasetAdminForm(forms.ModelForm):
    class Meta:
        model = Dataset
        fields = ("title", "slug", "description", "schema", "rows", "hidden_rows")
        widgets = {
            name: forms.Textarea(attrs={"rows": rows, "spellcheck": "false", "class": "code-input"})
            for name, rows in (("schema", 12), ("rows", 16), ("hidden_rows", 16))
        }
        help_texts = {
            "description": "Markdown, shown on every card of its SQL questions: each table, its "
            "columns and what they mean (units, what NULL means).",
            "schema": "CREATE TABLE statements (SQLite). Checked when you save: the schema and "
            "both row sets must build a database.",
            "rows": "INSERT statements: the rows candidates query with Run (20 to 60 a table).",
            "hidden_rows": "INSERT statements: different rows for Submit, with the edge cases "
            "that reject wrong queries (NULLs, ties, empty groups). A query that hard-codes the "
            "visible answer fails here.",
        }


@admin.register(Dataset)
class DatasetAdmin(QuestionCountAdmin):
    """The tables SQL questions query. Changing the rows changes every expected result: the
    questions' reference queries are run again on each card, so check them in a preview."""

    form = DatasetAdminForm
    list_display = ("title", "slug", "question_count")
    search_fields = ("title", "slug", "description")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("tables",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "description")}),
        ("Tables and rows", {"fields": ("schema", "rows", "hidden_rows", "tables")}),
    )

    @admin.display(description="Rows per table")
    def tables(self, dataset: Dataset) -> str:
        sizes = dataset.table_sizes() if dataset.pk else []
        if not sizes:
            return "Shown once the dataset is saved and builds."
        return "; ".join(
            f"{name}: {visible} visible, {hidden} hidden" for name, visible, hidden in sizes
        )


# --- questions -----------------------------------------------------------------------------------

# The field that tells which collapsed fieldset a kind of question fills in (open on its page).
FIELD_OF_KIND = {
    **dict.fromkeys(RUNNABLE_KINDS, "starter_code"),
    Kind.PREDICT_OUTPUT: "snippet",
    Kind.SQL: "dataset",
}


class QuestionChangeList(ChangeList):
    """Django's list of questions, reading only the columns it shows."""

    def get_results(self, request):
        # A row shows a few columns, not the Markdown, code and rendered HTML (tens of KB).
        self.queryset = self.queryset.only(
            *LIST_COLUMNS, "updated_at", "topic__name", *item_analysis.LIST_FIELDS
        )
        super().get_results(request)


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """The choices kept, checked by the question's own rules (Question.clean_choices)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        self.instance.clean_choices([bool(data.get("is_correct")) for data in kept])


class ChoiceInline(admin.StackedInline):
    model = Choice
    formset = ChoiceInlineFormSet
    fields = (("text", "explanation"), ("is_correct", "position"))
    extra = 0
    ordering = ("position", "pk")
    classes = ("choices-inline",)
    verbose_name = "choice (multiple choice only)"
    verbose_name_plural = "choices (multiple choice only)"

    def get_extra(self, request, obj=None, **kwargs):
        # A new question gets four empty choices to fill in; an existing one none.
        return 4 if obj is None else 0


class CodeTestInlineFormSet(forms.BaseInlineFormSet):
    """The tests kept, checked by the question's own rules (Question.clean_tests)."""

    def clean(self):
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        self.instance.clean_tests([data["name"] for data in kept])
        # After ours: Django's own check of the unique names says the same less plainly.
        super().clean()


class CodeTestInline(admin.StackedInline):
    model = CodeTest
    formset = CodeTestInlineFormSet
    fields = (("name", "is_hidden", "position"), "code")
    extra = 0
    ordering = ("position", "pk")
    classes = ("tests-inline",)
    verbose_name = "test"
    verbose_name_plural = "tests (coding: at least one; practical: optional)"

    def get_extra(self, request, obj=None, **kwargs):
        # A new question gets two empty tests to fill in; an existing one none.
        return 2 if obj is None else 0


class AutocompleteSelectWithBlank(AutocompleteSelect):
    """Django's autocomplete box, starting with a labelled empty option as valid HTML wants of
    a single <select> (Django writes none when a choice is required, an unlabelled one else)."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options.pop(0)
        options.insert(0, self.create_option(name, "", BLANK_CHOICE_DASH[0][1], False, 0))
        return groups


def author_choices(current_author_id: int | None):
    """Who may be named as a question's author: the editors and whoever is named now. Not every
    account: the <select> would grow with the candidates."""
    return User.objects.filter(is_editor_q() | Q(pk=current_author_id)).order_by("username")


class QuestionAdminForm(forms.ModelForm):
    """The question form: the author <select> lists the editors, the time limit box the model's
    bounds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        question = self.instance
        fields = self.fields
        if "author" in fields:
            fields["author"].queryset = author_choices(question.author_id)
        if "time_limit" in fields:
            # The model's validators, in the box too (Django writes min="0" for a positive field).
            fields["time_limit"].widget.attrs.update(min=1, max=MAX_TIME_LIMIT)

    class Meta:
        model = Question
        fields = "__all__"
        widgets = {
            "tracks": forms.CheckboxSelectMultiple,
            "key_points": forms.Textarea(attrs={"rows": 5}),
            "hints": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": "Short, as it appears in lists: \u201cLists versus tuples\u201d.",
            "slug": "The end of the question's address, as in /questions/list-vs-tuple/. "
            "Filled in from the title; lowercase-with-dashes. Changing it breaks links.",
            "kind": "Concept, multiple choice (fill in the choices below), coding (starter "
            "code, reference solution and at least one test required), practical (a snippet to "
            "debug or extend; tests optional), system design, behavioural, code review (the "
            "snippet goes in the prompt), ORM exercise (like coding, with Django: see "
            "questions/bank/README.md; 10 s is a safer time limit), SQL query, predict the "
            "output (a snippet and what it prints: Run the snippet fills that in) or debugging "
            "(like coding, but the starter code is plausible code with a bug: it fails some "
            "tests and passes others).",
            "difficulty": "Easy: any Python developer; medium: mid-level; hard: senior.",
            "status": "Draft while you write, In review when it is ready for a second pair of "
            "eyes, Published when candidates should see it.",
            "topic": "The one topic this question belongs to.",
            "tracks": "The roles this question comes up for.",
            "tags": "Keywords candidates filter by. Type to find one; add new tags with +.",
            "prompt": "Markdown. The question as an interviewer asks it, with the context "
            "needed to answer: a snippet, a scenario, constraints. Fenced ```python blocks are "
            "highlighted.",
            "answer": "Markdown. What a strong candidate says in two or three minutes: correct "
            "for current Python and Django, concrete, a short example where code helps, and the "
            "common weak answer or trap.",
            "key_points": "The rubric, one per line (three to six): each a thing an interviewer "
            "listens for. Candidates tick the ones they covered.",
            "hints": "Markdown, one hint per line (up to three): nudge, never give the answer.",
            "follow_ups": "Questions an interviewer would ask next. Type to search by title.",
            "multi_select": "Multiple choice only: several choices may be correct (candidates "
            "see checkboxes).",
            "keep_choice_order": "Multiple choice only: show the choices in the order below to "
            "every candidate instead of shuffling them. Only for choices that refer to each "
            "other (\u201cboth of the above\u201d, a sequence of steps).",
            "starter_code": "Coding (required): the function signature candidates start "
            "from; it must fail at least one test. Debugging (required): the code with the bug, "
            "which fails some tests. Practical: the snippet to debug or extend.",
            "solution_code": "Coding (required): a reference solution that passes every test. "
            "Practical: the fixed or extended code, if it has tests.",
            "author": "Who wrote the question (filled in with you when you create one).",
            "snippet": "Predict the output (required): 3 to 15 lines that run on their own "
            "with the standard library and print the same on Python 3.11 to 3.14 (no set "
            "order of strings, id(), addresses, timing or randomness).",
            "expected_output": "Predict the output (required): exactly what the snippet prints; "
            "if it raises, the last line is `ExceptionType: message`. Never type it: Run the "
            "snippet fills it in, and the bank's CI checks it with every Python.",
        }


class BankUploadForm(forms.Form):
    bank_file = forms.FileField(
        label="Bank file",
        help_text="A topic's file of the bank (such as fundamentals.yaml, in the format of "
        "questions/bank/README.md), or the .zip that the list's action \u201cDownload the "
        "selected questions as bank files\u201d gives. Questions are matched by slug: new ones "
        "are created, changed ones updated.",
    )

    def clean_bank_file(self):
        upload = self.cleaned_data["bank_file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(f"Choose a file of at most {UPLOAD_MAX_BYTES // 2**20} MB.")
        return upload


# How long an uploaded bank file waits for its confirmation (seconds).
UPLOAD_KEPT_FOR = 60 * 60


def upload_cache_key(request: HttpRequest, token: str) -> str:
    """Where an editor's checked upload waits for their confirmation: theirs alone."""
    return f"questions:bank-upload:{request.user.pk}:{token}"


class M2MHistoryRows(NamedTuple):
    """One history record's rows of a many-to-many field (tracks or tags), as simple-history's
    diff has them: `ids` to compare, `shown` for the page."""

    ids: list[tuple]
    shown: list[dict]


NO_ROWS = M2MHistoryRows([], [])


def _m2m_history_rows(records, field, *, as_objects: bool) -> dict[int, M2MHistoryRows]:
    """The history rows of one many-to-many field for every record given, in one query, by
    history id; a record without rows (no tags then) is missing. Ordered and compared as
    simple-history's diff_against() does; each shown row has the related object (a
    DeletedObject when it has been deleted since, or the id when as_objects is false) and the
    question's id (the same in every row: the diff page shows only the related objects)."""
    through = getattr(Question.history.model, field.name).model
    own, related = get_m2m_field_name(field), get_m2m_reverse_field_name(field)
    own_field, related_field = through._meta.get_field(own), through._meta.get_field(related)
    rows = through.objects.filter(history__in=[record.pk for record in records])
    if as_objects:
        rows = rows.select_related(related)  # a LEFT JOIN: a deleted tag's row stays
    found: dict[int, M2MHistoryRows] = {}
    for row in rows.order_by(related):
        own_id, related_id = getattr(row, own_field.attname), getattr(row, related_field.attname)
        value = related_id
        if as_objects:
            value = getattr(row, related) or DeletedObject(related_field.related_model, related_id)
        entry = found.setdefault(row.history_id, M2MHistoryRows([], []))
        entry.ids.append((own_id, related_id))
        entry.shown.append({own: own_id, related: value})
    return found


@admin.register(Question)
class QuestionAdmin(EmptyToFieldMixin, SimpleHistoryAdmin):
    form = QuestionAdminForm
    change_list_template = "admin/questions/question/change_list.html"
    change_form_template = "admin/questions/question/change_form.html"

    list_display = (
        "title",
        "topic",
        "kind",
        "difficulty",
        "status",
        "updated_at",
        *item_analysis.LIST_COLUMNS,  # the figures of the last analysis (curation/)
        "preview_link",
    )
    list_filter = (
        "status",
        "kind",
        "difficulty",
        "topic",
        "tracks",
        "tags",
        # Today, past 7 days, this month, this year: links, no query. (A date_hierarchy cost
        # two queries per view, one of them a scan of every question for its distinct days.)
        ("updated_at", admin.DateFieldListFilter),
    )
    search_fields = ("title", "prompt", "answer", "slug")
    list_select_related = ("topic",)
    list_per_page = 50
    # What changed last comes first, read backwards off the updated_at index: the model's
    # order (topic position, then title) sorts every question to show fifty.
    ordering = ("-updated_at",)
    autocomplete_fields = ("topic", "tags", "follow_ups", "dataset")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created_at", "updated_at", "published_at")
    inlines = [ChoiceInline, CodeTestInline]
    actions = ["publish", "send_to_review", "back_to_draft", "download_bank_files"]
    fieldsets = (
        (None, {"fields": ("title", "slug", ("kind", "difficulty", "status"))}),
        ("Where it belongs", {"fields": ("topic", "tracks", "tags")}),
        (
            "The question",
            {
                "fields": ("prompt", "answer", "key_points", "hints", "follow_ups"),
                "description": "Markdown is rendered to HTML when you save; raw HTML is shown "
                "as text.",
            },
        ),
        (
            "Code (coding, debugging and practical questions)",
            {
                "fields": ("starter_code", "solution_code", ("time_limit", "runs_in_browser")),
                "classes": ("collapse",),
                "description": "Coding and debugging: starter code, a reference solution and at "
                "least one test (below) are required; a debugging exercise's starter code must "
                "fail some tests. Practical: the snippet goes in the starter code, tests are "
                "optional. Tests run in the candidate's browser; the preview's Run the tests "
                "checks them in yours.",
            },
        ),
        (
            "Predict the output",
            {
                "fields": ("snippet", "expected_output"),
                "classes": ("collapse", "prediction-fields"),
                "description": "The candidate reads the snippet and types what it prints; the "
                "answer is checked line by line, ignoring trailing whitespace.",
            },
        ),
        (
            "SQL query",
            {
                "fields": ("dataset", "ordered_rows"),
                "classes": ("collapse",),
                "description": "The reference query goes in the solution code (SQLite), and "
                "what the editor starts with, if anything, in the starter code. The candidate's "
                "query runs in their browser on the dataset's visible rows (Run) and hidden rows "
                "(Submit), compared with the reference query's result, computed here: by "
                "position (column names do not matter), as a multiset of rows unless the order "
                "matters. Round non-integers with ROUND(x, 2) so that they compare exactly.",
            },
        ),
        (
            "Multiple choice",
            {
                "fields": ("multi_select", "keep_choice_order"),
                "description": "Each candidate sees the choices in an order of their own, "
                "shuffled when the question is drawn into their session, unless you keep the "
                "order below.",
            },
        ),
        (
            "Record",
            {
                "fields": ("author", "created_at", "updated_at", "published_at"),
                "classes": ("collapse",),
            },
        ),
    )

    def get_queryset(self, request):
        # The change form writes the topic's name in its box, and the list and the change page
        # show the question's figures: read both with the question.
        return super().get_queryset(request).select_related("topic", "statistics")

    def get_fieldsets(self, request, obj=None):
        """The fieldsets, with the one the question's kind fills in shown open (a predict-the-
        output question's snippet, an SQL query's dataset, an exercise's code)."""
        fieldsets = super().get_fieldsets(request, obj)
        wanted = FIELD_OF_KIND.get(obj.kind) if obj is not None else None
        if wanted is None:
            return fieldsets
        shown = []
        for name, options in fieldsets:
            if wanted in flatten(options["fields"]):
                classes = tuple(c for c in options.get("classes", ()) if c != "collapse")
                options = {**options, "classes": classes}
            shown.append((name, options))
        return shown

    def render_change_form(self, request, context, *args, **kwargs):
        # Run the snippet (predict the output) stops a snippet where the bank loader does.
        context["snippet_time_limit"] = SNIPPET_TIME_LIMIT
        question = kwargs.get("obj")
        if question is not None:
            # Below the form: the figures, their chart, the reasons and the problem reports.
            context.update(item_analysis.panel_context(question))
        return super().render_change_form(request, context, *args, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", AutocompleteSelectWithBlank(db_field, self.admin_site))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def view_on_site(self, question: Question) -> str | None:
        """Only published questions are on the site; drafts have Preview instead."""
        return question.get_absolute_url() if question.is_published else None

    @admin.display(description="Preview")
    def preview_link(self, question: Question) -> str:
        url = reverse("admin:questions_question_preview", args=[quote(question.pk)])
        return format_html('<a href="{}">Preview</a>', url)

    def get_changelist(self, request, **kwargs):
        return QuestionChangeList

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    # --- bulk status actions

    def _change_status(self, request, queryset, status: str, verb: str) -> None:
        selected = queryset.count()
        changed = change_status(questions=queryset, status=status)
        noun = "question" if changed == 1 else "questions"
        message = f"{changed} {noun} {verb}."
        if changed < selected:
            already = selected - changed
            message += f" {already} {'was' if already == 1 else 'were'} already {verb}."
        self.message_user(request, message, messages.SUCCESS if changed else messages.INFO)

    @admin.action(description="Publish the selected questions", permissions=["change"])
    def publish(self, request, queryset):
        self._change_status(request, queryset, Status.PUBLISHED, "published")

    @admin.action(description="Send the selected questions to review", permissions=["change"])
    def send_to_review(self, request, queryset):
        self._change_status(request, queryset, Status.IN_REVIEW, "sent to review")

    @admin.action(description="Move the selected questions back to draft", permissions=["change"])
    def back_to_draft(self, request, queryset):
        self._change_status(request, queryset, Status.DRAFT, "moved back to draft")

    # --- import and export: the bank's files (questions/bank_files.py)

    @admin.action(description="Download the selected questions as bank files", permissions=["view"])
    def download_bank_files(self, request, queryset):
        """A .zip of the bank files of the selection: tracks.yaml, the datasets its SQL
        questions query and one file per topic. The import takes it back, and unpacked it is a
        directory `manage.py load_bank --dir` reads."""
        response = HttpResponse(bank_zip(bank_contents(queryset)), content_type="application/zip")
        name = f"questions-{timezone.localdate():%Y-%m-%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload bank files, see what they would create and change (or every problem, with
        nothing written), then confirm. The confirmation checks the files again."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import questions from bank files",
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, context)
        form = BankUploadForm(request.POST or None, request.FILES or None)
        if form.is_valid():
            upload = form.cleaned_data["bank_file"]
            try:
                files = unpack_upload(upload.name, upload.read())
                bank = read_uploaded_bank(files)
                result = load_bank(bank, dry_run=True)
            except BankError as error:
                context["problems"] = error.problems
            else:
                token = secrets.token_urlsafe(16)
                cache.set(upload_cache_key(request, token), files, UPLOAD_KEPT_FOR)
                titles = {question.slug: question.title for question in bank.questions}
                context.update(
                    token=token,
                    file_name=upload.name,
                    result=result,
                    created=[(slug, titles[slug]) for slug in result.created_slugs],
                    updated=[(slug, titles[slug]) for slug in result.updated_slugs],
                )
        context["form"] = form
        return TemplateResponse(request, "admin/questions/question/import.html", context)

    def _confirm_import(self, request: HttpRequest, context: dict) -> HttpResponse:
        key = upload_cache_key(request, request.POST.get("token", ""))
        files = cache.get(key)
        if files is None:
            self.message_user(
                request,
                "That upload is no longer waiting (an hour has passed, or it was imported): "
                "upload the file again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:questions_question_import"))
        try:
            result = load_bank(read_uploaded_bank(files))
        except BankError as error:
            # The database changed since the check: nothing was written.
            context.update(problems=error.problems, form=BankUploadForm())
            return TemplateResponse(request, "admin/questions/question/import.html", context)
        cache.delete(key)
        self.message_user(
            request,
            f"Imported: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:questions_question_changelist"))

    # --- history

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The changes each record of the history page made, as simple-history shows them, with
        the tracks and tags of every record on the page read in one query per field: its own
        diff reads both of both records for every row (4 queries a row)."""
        records = list(historical_records)  # the page's records, newest first
        rows = {
            field.name: _m2m_history_rows(records, field, as_objects=foreign_keys_are_objs)
            for field in Question.history.model._history_m2m_fields
        }
        for newer, older in itertools.pairwise(records):
            delta = newer.diff_against(
                older, excluded_fields=list(rows), foreign_keys_are_objs=foreign_keys_are_objs
            )
            changes = list(delta.changes)
            for name, rows_of in rows.items():
                before, after = rows_of.get(older.pk, NO_ROWS), rows_of.get(newer.pk, NO_ROWS)
                if before.ids != after.ids:
                    changes.append(ModelChange(name, before.shown, after.shown))
            changes.sort(key=lambda change: change.field)
            delta = ModelDelta(changes, [change.field for change in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)

    # --- preview

    def get_urls(self) -> list:
        urls = super().get_urls()
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="questions_question_preview",
        )
        bank_import = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="questions_question_import",
        )
        return [preview, bank_import, *urls]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The question exactly as a candidate will see it, drafts included (editors only)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = parse_id(object_id)
        if pk is None:
            raise Http404("No such question.")
        # defer(None): Run the tests needs the starter and solution code the page skips.
        question = get_object_or_404(Question.objects.with_detail_data().defer(None), pk=pk)
        return render_question(request, question, preview=True)


# --- question sets -------------------------------------------------------------------------------


class QuestionSetItemInline(admin.TabularInline):
    model = QuestionSetItem
    fields = ("position", "question")
    autocomplete_fields = ("question",)
    ordering = ("position", "pk")
    extra = 1
    verbose_name = "question"
    verbose_name_plural = "questions, in order (lowest position first)"


@admin.register(QuestionSet)
class QuestionSetAdmin(EmptyToFieldMixin, SimpleHistoryAdmin):
    list_display = ("title", "visibility", "owner", "item_count", "updated_at")
    list_filter = ("visibility",)
    list_select_related = ("owner",)
    search_fields = ("title", "description")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("owner",)
    inlines = [QuestionSetItemInline]

    @admin.display(description="Questions", ordering="item_count")
    def item_count(self, obj) -> int:
        return obj.item_count

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=Count("items"))
            .order_by(*QuestionSet._meta.ordering, "pk")
        )
