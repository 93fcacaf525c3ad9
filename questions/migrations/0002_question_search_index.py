"""A GIN index for the bank's full-text search, on PostgreSQL only.

The indexed expression must be exactly the one QuestionQuerySet.search() filters on
(questions.models.search_vector()): title weighted A plus prompt weighted B, "english"
configuration. It is written out here rather than imported so that this migration keeps
meaning what it meant when it ran. SQLite has no GIN indexes; there the search is a plain
case-insensitive match and this migration does nothing.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "question_search_idx"


def search_index() -> GinIndex:
    document = SearchVector("title", weight="A", config="english") + SearchVector(
        "prompt", weight="B", config="english"
    )
    return GinIndex(document, name=INDEX_NAME)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("questions", "Question"), search_index())


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("questions", "Question"), search_index())


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]

    operations = [migrations.RunPython(create_search_index, drop_search_index, elidable=False)]
