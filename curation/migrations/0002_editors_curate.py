"""Editors get the curation permissions: the Needs editing queue (view it, mark a reason dealt
with) and the problem reports (read, resolve, delete)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"


def grant_editors_curation(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("curation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.add(*Permission.objects.filter(content_type__app_label="curation"))


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_item_analysis_and_problem_reports"),
        ("accounts", "0003_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_editors_curation, migrations.RunPython.noop)]
