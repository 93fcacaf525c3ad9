"""Roles are Django groups. Everyone is a candidate; Editors and Mentors are groups."""

EDITORS = "Editors"
MENTORS = "Mentors"

# The name used on the command line (grant_role USER editor) -> the group.
ROLE_GROUPS = {"editor": EDITORS, "mentor": MENTORS}

# Editors curate the bank: every permission on the question-bank and curation models.
EDITOR_PERMISSION_APPS = ("questions", "curation")
# ... and they see the background tasks (every e-mail is one) and retry failed ones in the admin
# (granted by background/migrations/0002_editors_see_and_retry_tasks.py).
EDITOR_TASK_PERMISSIONS = ("view_backgroundtask", "change_backgroundtask")
