from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Mentorship, User
from prep.admin import EmptyToFieldMixin


@admin.register(User)
class UserAdmin(EmptyToFieldMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "is_staff",
        "awaiting_confirmation",
        "date_joined",
        "last_login",
    )
    list_filter = (*DjangoUserAdmin.list_filter, "awaiting_confirmation")
    # Set by sign-up and cleared by the emailed link (or a password reset): not edited by hand.
    readonly_fields = ("awaiting_confirmation",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Sign-up", {"fields": ("awaiting_confirmation",)}),
        (
            "Preparation",
            {
                "fields": (
                    "target_track",
                    "interview_date",
                    "daily_goal",
                    "desired_retention",
                    "daily_review_limit",
                    "time_zone",
                )
            },
        ),
    )


@admin.register(Mentorship)
class MentorshipAdmin(EmptyToFieldMixin, admin.ModelAdmin):
    list_display = ("mentor", "candidate", "created_at")
    list_select_related = ("mentor", "candidate")
    raw_id_fields = ("mentor", "candidate")
