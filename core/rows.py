"""Model instances from the columns of a hand-written statement.

For the few hot paths where one plain SQL statement reads what several ORM lookups would (the
codes a stock move names, the ledger's bin locks): `columns()` writes a model's select list under
a table alias and `instance()` turns that slice of a row back into the model, through Django's own
`Model.from_db` and the database converters the ORM applies, so the result is the record the ORM
would have built.
"""

from functools import cache

from django.db import connection


def columns(model, alias: str) -> str:
    """The select list of `model`'s concrete columns, qualified by `alias`."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model) -> int:
    """How many columns `columns(model, …)` selects."""
    return len(model._meta.concrete_fields)


@cache
def _reading(model, vendor: str) -> tuple[list[str], int, list[tuple[int, object, list]]]:
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    converting = []
    for index, field in enumerate(fields):
        converters = field.get_db_converters(connection) + connection.ops.get_db_converters(field)
        if converters:
            converting.append((index, field, converters))
    return names, names.index(model._meta.pk.attname), converting


def instance(model, values):
    """`model` built from its columns' `values` (in `columns()` order), or None when the row has
    no such record (an outer join that found nothing: its primary key is NULL)."""
    names, pk_index, converting = _reading(model, connection.vendor)
    if values[pk_index] is None:
        return None
    values = list(values)
    for index, field, converters in converting:
        value = values[index]
        for converter in converters:
            value = converter(value, field, connection)
        values[index] = value
    return model.from_db(connection.alias, names, values)
