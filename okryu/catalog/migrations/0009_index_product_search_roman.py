"""A trigram index over the roman search column too, one kind per database.

PostgreSQL: a GIN pg_trgm index, built concurrently (so this migration is not atomic).
SQLite: the FTS5 trigram table of migration 0004 is made again with the third column, with
its triggers (0007 remade ``catalog_product``, which dropped them), and rebuilt from the rows.
WARNING: any later migration that makes Django remake catalog_product must call
``create_sqlite_search_index`` of THIS migration (not 0004's, which knows two columns).
``okryu/catalog/tests/test_search.py`` checks the triggers exist after the whole chain.
"""

import importlib

from django.db import migrations

COLUMNS = ("search_text", "search_initials", "search_roman")

POSTGRESQL_FORWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS catalog_product_search_roman_trgm "
    "ON catalog_product USING gin (search_roman gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX CONCURRENTLY IF EXISTS catalog_product_search_roman_trgm",
]

_OLD_VALUES = ", ".join(f"old.{column}" for column in COLUMNS)
_NEW_VALUES = ", ".join(f"new.{column}" for column in COLUMNS)
_COLUMN_LIST = ", ".join(COLUMNS)
_SQLITE_DELETE_OLD = (
    f"INSERT INTO catalog_product_search(catalog_product_search, rowid, {_COLUMN_LIST}) "
    f"VALUES ('delete', old.id, {_OLD_VALUES});"
)
_SQLITE_INSERT_NEW = (
    f"INSERT INTO catalog_product_search(rowid, {_COLUMN_LIST}) "
    f"VALUES (new.id, {_NEW_VALUES});"
)
_CHANGED = " OR ".join(f"old.{column} IS NOT new.{column}" for column in COLUMNS)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS catalog_product_search_insert "
    f"AFTER INSERT ON catalog_product BEGIN {_SQLITE_INSERT_NEW} END",
    "CREATE TRIGGER IF NOT EXISTS catalog_product_search_delete "
    f"AFTER DELETE ON catalog_product BEGIN {_SQLITE_DELETE_OLD} END",
    # Only when a search column changed: stock updates leave the index alone.
    "CREATE TRIGGER IF NOT EXISTS catalog_product_search_update "
    f"AFTER UPDATE OF {_COLUMN_LIST} ON catalog_product WHEN {_CHANGED} "
    f"BEGIN {_SQLITE_DELETE_OLD} {_SQLITE_INSERT_NEW} END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_product_search_insert",
    "DROP TRIGGER IF EXISTS catalog_product_search_delete",
    "DROP TRIGGER IF EXISTS catalog_product_search_update",
    "DROP TABLE IF EXISTS catalog_product_search",
]


def create_sqlite_search_index(schema_editor):
    """Create (or re-create after a table remake) the FTS5 table and its triggers."""
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_search USING fts5("
        f"{_COLUMN_LIST}, content='catalog_product', content_rowid='id', "
        f"tokenize='trigram')"
    )
    for statement in SQLITE_TRIGGERS:
        schema_editor.execute(statement)
    # Index what is already there (external content: FTS5 reads catalog_product).
    schema_editor.execute(
        "INSERT INTO catalog_product_search(catalog_product_search) VALUES ('rebuild')"
    )


def add_roman_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_FORWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
        create_sqlite_search_index(schema_editor)


def remove_roman_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_BACKWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        # Back to the two-column table of 0004 (a module name cannot be imported plainly).
        older = importlib.import_module(
            "okryu.catalog.migrations.0004_add_product_search_indexes"
        )
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
        older.create_sqlite_search_index(schema_editor)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("catalog", "0008_fill_product_search_roman"),
    ]

    operations = [
        migrations.RunPython(add_roman_index, remove_roman_index, atomic=False),
    ]
