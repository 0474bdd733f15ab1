"""One model instance from a hand-written query, for the hottest reads.

``Model.objects.raw()`` works out, on every execution, which columns of the
result are the model's fields, their database converters and the extra
columns; for a query run on every API call that bookkeeping cost more than
reading the row. ``first_instance`` does the same work once per process for
each (database, model, SQL text) and then only applies it, so the instance it
returns is the one ``raw()`` would give: fields loaded through ``from_db``
(converters included, e.g. SQLite's booleans and datetimes), extra columns set
as attributes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.sql import RawQuery

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Plan:
    width: int
    init_names: list[str]
    init_positions: list[int]
    extra: list[tuple[str, int]]
    converters: list[tuple[int, list[Callable[..., Any]], Any]]


_plans: dict[tuple[str, str, type[Model], str], _Plan] = {}
_plans_lock = threading.Lock()


def _plan_for(model: type[Model], using: str, sql: str, description: Sequence[Any]) -> _Plan:
    connection = connections[using]
    to_name = connection.introspection.identifier_converter
    columns = [to_name(column[0]) for column in description]
    model_fields = {to_name(f.column): f for f in model._meta.fields}
    init_fields = [f for f in model._meta.fields if to_name(f.column) in columns]
    if model._meta.pk is None or model._meta.pk not in init_fields:
        raise ValueError("A raw query must include the primary key.")
    cols = [
        field.get_col(field.model._meta.db_table) if field is not None else None
        for field in (model_fields.get(column) for column in columns)
    ]
    # Django's own raw() builds this compiler over a RawQuery too; the stubs
    # only know it over a Query.
    compiler_class: Any = connection.ops.compiler("SQLCompiler")
    compiler = compiler_class(RawQuery(sql=sql, using=using), connection, using)
    return _Plan(
        width=len(columns),
        init_names=[f.attname for f in init_fields],
        init_positions=[columns.index(to_name(f.column)) for f in init_fields],
        extra=[(column, pos) for pos, column in enumerate(columns) if column not in model_fields],
        converters=[
            (pos, funcs, expression)
            for pos, (funcs, expression) in compiler.get_converters(cols).items()
        ],
    )


def first_instance(
    model: type[M],
    sql: str,
    params: Sequence[Any] | Mapping[str, Any],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> M | None:
    """The first row of ``sql`` as a ``model`` instance (None when it has no
    row), as ``next(iter(model.objects.raw(sql, params)), None)`` would give it."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        key = (using, connection.vendor, model, sql)
        plan = _plans.get(key)
        # A different width means the table changed under the same SQL text
        # (``SELECT t.*`` across a migration): work the plan out again.
        if plan is None or plan.width != len(row):
            plan = _plan_for(model, using, sql, cursor.description)
            with _plans_lock:
                _plans[key] = plan
    values = list(row)
    for pos, funcs, expression in plan.converters:
        value = values[pos]
        for func in funcs:
            value = func(value, expression, connection)
        values[pos] = value
    instance = model.from_db(using, plan.init_names, [values[pos] for pos in plan.init_positions])
    for column, pos in plan.extra:
        setattr(instance, column, values[pos])
    return instance
