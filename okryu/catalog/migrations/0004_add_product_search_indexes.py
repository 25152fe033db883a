"""Trigram indexes over the derived search columns, one kind per database.

PostgreSQL: GIN pg_trgm indexes, built concurrently (so this migration is not atomic).
SQLite: an FTS5 trigram table with external content (catalog_product), kept in sync by
triggers. WARNING: on SQLite, any later migration that makes Django remake catalog_product
(most AlterField and AddField of a NOT NULL column) drops these triggers with the old table;
such a migration must call ``create_sqlite_search_index`` again (import it from here).
``okryu/catalog/tests/test_search.py`` checks the triggers exist after the whole chain.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS catalog_product_search_text_trgm "
    "ON catalog_product USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS catalog_product_search_initials_trgm "
    "ON catalog_product USING gin (search_initials gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX CONCURRENTLY IF EXISTS catalog_product_search_text_trgm",
    "DROP INDEX CONCURRENTLY IF EXISTS catalog_product_search_initials_trgm",
]

_SQLITE_DELETE_OLD = (
    "INSERT INTO catalog_product_search"
    "(catalog_product_search, rowid, search_text, search_initials) "
    "VALUES ('delete', old.id, old.search_text, old.search_initials);"
)
_SQLITE_INSERT_NEW = (
    "INSERT INTO catalog_product_search(rowid, search_text, search_initials) "
    "VALUES (new.id, new.search_text, new.search_initials);"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS catalog_product_search_insert "
    f"AFTER INSERT ON catalog_product BEGIN {_SQLITE_INSERT_NEW} END",
    "CREATE TRIGGER IF NOT EXISTS catalog_product_search_delete "
    f"AFTER DELETE ON catalog_product BEGIN {_SQLITE_DELETE_OLD} END",
    # Only when a search column changed: stock updates leave the index alone.
    "CREATE TRIGGER IF NOT EXISTS catalog_product_search_update "
    "AFTER UPDATE OF search_text, search_initials ON catalog_product "
    "WHEN old.search_text IS NOT new.search_text "
    "OR old.search_initials IS NOT new.search_initials "
    f"BEGIN {_SQLITE_DELETE_OLD} {_SQLITE_INSERT_NEW} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_product_search_insert",
    "DROP TRIGGER IF EXISTS catalog_product_search_delete",
    "DROP TRIGGER IF EXISTS catalog_product_search_update",
    "DROP TABLE IF EXISTS catalog_product_search",
]


def create_sqlite_search_index(schema_editor):
    """Create (or re-create after a table remake) the FTS5 table and its triggers."""
    schema_editor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_search USING fts5("
        "search_text, search_initials, content='catalog_product', "
        "content_rowid='id', tokenize='trigram')"
    )
    for statement in SQLITE_TRIGGERS:
        schema_editor.execute(statement)
    # Index what is already there (external content: FTS5 reads catalog_product).
    schema_editor.execute(
        "INSERT INTO catalog_product_search(catalog_product_search) VALUES ('rebuild')"
    )


def add_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_FORWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        create_sqlite_search_index(schema_editor)


def remove_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("catalog", "0003_fill_product_search_columns"),
    ]

    operations = [
        migrations.RunPython(add_search_indexes, remove_search_indexes, atomic=False),
    ]
