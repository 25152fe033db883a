"""Multi-row INSERTs of unsaved model instances, for the hot paths that batch their writes.

``typed_values`` renders instances as a ``VALUES`` list whose every value is cast to its
column's type, so the rows may also be selected from (``INSERT ... SELECT ... FROM (VALUES
...)``) inside data-modifying CTEs on PostgreSQL. ``insert_together`` writes several lists
of instances of any models in one statement on PostgreSQL, and with one bulk INSERT per list
elsewhere; their primary keys are not read back.
"""

import re
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def insert_fields(
    model: type[Model], *, exclude: frozenset[str] = frozenset()
) -> "list[Field[Any, Any]]":
    """Return the columns an INSERT of ``model`` writes: all but the primary key."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in exclude
    ]


def column_list(fields: "Sequence[Field[Any, Any]]", *, alias: str = "") -> str:
    """Return the fields' column names, comma-separated (each prefixed ``alias.``)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{field.column}" for field in fields)


def typed_values(
    fields: "Sequence[Field[Any, Any]]",
    instances: Sequence[Model],
    *,
    leading: Sequence[Sequence[int]] = (),
) -> tuple[str, list[Any]]:
    """Return ``(v1, v2, ...), (...)`` for the instances and its parameters.

    Each value is what Django would save (``pre_save`` fills ``auto_now_add``), cast to its
    column's type without a length, so an over-long text fails on the column as an INSERT
    would instead of being cut by the cast. ``leading`` gives, per instance, integers put
    before its values (keys to join on, an ordinal).
    """
    casts = [re.sub(r"\(\d+\)", "", str(field.db_type(connection))) for field in fields]
    rows: list[str] = []
    params: list[Any] = []
    for index, instance in enumerate(instances):
        row = []
        if leading:
            row += ["%s::bigint"] * len(leading[index])
            params += list(leading[index])
        for field, cast in zip(fields, casts, strict=True):
            row.append(f"%s::{cast}")
            params.append(
                field.get_db_prep_save(field.pre_save(instance, add=True), connection)
            )
        rows.append(f"({', '.join(row)})")
    return ", ".join(rows), params


def insert_together(*groups: Sequence[Model]) -> None:
    """Insert every instance of every group; one statement on PostgreSQL.

    Each group holds instances of one model. On PostgreSQL the groups are data-modifying
    CTEs of one statement; elsewhere each group is one bulk INSERT.
    """
    groups = tuple(group for group in groups if group)
    if connection.vendor != "postgresql":
        for group in groups:
            type(group[0])._default_manager.bulk_create(group)
        return
    parts: list[str] = []
    params: list[Any] = []
    for group in groups:
        model = type(group[0])
        assert all(type(instance) is model for instance in group)
        fields = insert_fields(model)
        values, values_params = typed_values(fields, group)
        parts.append(
            f"INSERT INTO {model._meta.db_table} ({column_list(fields)}) "  # noqa: S608
            f"VALUES {values}"  # (names from the models, values as parameters)
        )
        params += values_params
    *first, last = parts
    ctes = ", ".join(f"w{index} AS ({part})" for index, part in enumerate(first))
    sql = f"WITH {ctes} {last}" if first else last
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
