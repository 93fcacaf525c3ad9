"""Editors (accounts.roles.EDITORS) see the background tasks in the admin and may retry them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
CODENAMES = ["view_backgroundtask", "change_backgroundtask"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure these exist now.
    app_config = apps.get_app_config("background")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="background", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="background", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("background", "0001_background_task"),
        ("accounts", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
