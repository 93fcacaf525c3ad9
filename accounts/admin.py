from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Mentorship, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_staff", "date_joined", "last_login")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
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
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ("mentor", "candidate", "created_at")
    list_select_related = ("mentor", "candidate")
    raw_id_fields = ("mentor", "candidate")
