"""Roles are Django groups. Everyone is a candidate; Editors and Mentors are groups."""

EDITORS = "Editors"
MENTORS = "Mentors"

# The name used on the command line (grant_role USER editor) -> the group.
ROLE_GROUPS = {"editor": EDITORS, "mentor": MENTORS}

# Editors curate the bank: every permission on the question-bank models.
EDITOR_PERMISSION_APPS = ("questions",)
