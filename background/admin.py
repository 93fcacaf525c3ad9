from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from background.models import BackgroundTask
from prep.admin import EmptyToFieldMixin

# The same rows, shown once: through the proxy, with the attempts, the retries and the action.
admin.site.unregister(DBTaskResult)


@admin.register(BackgroundTask)
class BackgroundTaskAdmin(EmptyToFieldMixin, DBTaskResultAdmin):
    """Background tasks (every e-mail is one): what is waiting, retrying, failed or done.

    Read-only, as django-tasks-db's own admin is; staff with the change permission (editors
    among them) can ask for one more attempt of a failed task, or run a waiting one now.
    """

    list_display = (
        "function",
        "state",
        "attempts",
        "enqueued_at",
        "next_attempt",
        "finished_at",
        "last_error",
    )
    list_display_links = ("function",)
    list_filter = ("status", "task_path")
    search_fields = ("=id", "task_path")
    ordering = ("-enqueued_at",)
    show_full_result_count = False  # the filtered count is enough; the table grows every day
    actions = ["retry_now"]

    @admin.display(description="task", ordering="task_path")
    def function(self, task: BackgroundTask) -> str:
        return task.function_name

    @admin.display(description="state", ordering="status")
    def state(self, task: BackgroundTask) -> str:
        return task.state

    @admin.display(description="next attempt", ordering="run_after")
    def next_attempt(self, task: BackgroundTask):
        if task.status != "READY":
            return self.get_empty_value_display()
        return self.display_run_after(task)

    @admin.display(description="last error")
    def last_error(self, task: BackgroundTask) -> str:
        return task.exception_class_path.rsplit(".", 1)[-1] or self.get_empty_value_display()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The list's action needs the change permission; a task's page stays read-only.
        if obj is not None:
            return False
        return request.user.has_perm("background.change_backgroundtask")

    @admin.action(description="Retry the selected tasks now", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[BackgroundTask]) -> None:
        retried = sum(task.retry_now() for task in queryset)
        skipped = len(queryset) - retried
        if retried:
            noun = "task" if retried == 1 else "tasks"
            self.message_user(request, f"{retried} {noun} queued to run again now.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} left as they were: running or already done.",
                messages.WARNING,
            )
