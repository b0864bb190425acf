"""Queries of a fixed shape, turned into SQL once per process and then run with new values.

Why: profiled (`bench/pages_bench.py --profile`), the ORM's work to turn a queryset into SQL is
80–90% of the time a page's query takes: the database answers the session page's main query in
about 0.1 ms, and building its SQL (four `select_related` tables and a subquery) takes over
1 ms, on every request, to produce the same SQL text each time. The queries every page runs
(the viewer's memberships, the object the address names) are of a fixed shape: only the values
differ. A `PreparedQuery` builds the queryset once with marker values, keeps the SQL, where the
markers ended up among its parameters, and what Django needs to make model instances of its
rows (the selected columns, the `select_related` tree, the annotations), and from then on runs
that SQL with the real values. The rows become model instances the way `QuerySet` makes them
(`Model.from_db`, Django's related-object populators, its field converters), so what comes back
is the same as the queryset's (tests/project/test_prepared.py compares them).

`values()` queries give their dictionaries as the queryset does. What it does not do:
`values_list()`, `prefetch_related` (a second query of its own: use the queryset), and values
that change the SQL's shape (a list for `__in`, an optional filter): build another prepared
query, or use the queryset. A value the marker cannot be found for (a lookup that rewrites it,
such as `__icontains`) is refused when the query is first built, not silently mis-bound."""

import datetime

from django.db import connections
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

# Marker values: large enough never to be a real id or count, within a 32-bit integer column.
_INT_MARKER_BASE = 2_147_480_000
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_STR_MARKER = "\x1eprepared-{}\x1e"


def _marker(kind, index):
    if kind is int:
        return _INT_MARKER_BASE + index
    if kind is str:
        return _STR_MARKER.format(index)
    if kind is datetime.date:
        return datetime.date(1111, 1, 1) + datetime.timedelta(days=index)
    raise TypeError(f"PreparedQuery values are int, str or datetime.date, not {kind!r}")


def _bound(kind, value, connection):
    """`value` as the database driver takes it (a date: as the backend adapts a DateField's)."""
    return connection.ops.adapt_datefield_value(value) if kind is datetime.date else value


class _Compiled:
    __slots__ = (
        "sql",
        "params",
        "slots",
        "select",
        "klass_info",
        "annotation_col_map",
        "converters",
        "col_count",
        "names",
    )


class PreparedQuery:
    """`PreparedQuery(build, pk=int)`: `build(pk=...)` returns the queryset; `.one(pk=5)` and
    `.all(pk=5)` run it. Module-level instances live as long as the process."""

    def __init__(self, build, **kinds):
        self._build = build
        self._kinds = kinds
        self._compiled = {}  # (database alias, vendor) -> _Compiled

    def _compile(self, using):
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        markers = {name: _marker(kind, index) for index, (name, kind) in enumerate(self._kinds.items())}
        queryset = self._build(**markers)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise TypeError("A PreparedQuery runs one query: no prefetch_related, no related manager.")
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise TypeError("A PreparedQuery gives model instances, or dictionaries (values()).")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for position, value in enumerate(params):
            for name, marker in markers.items():
                bound = _bound(self._kinds[name], marker, connection)
                if type(value) is type(bound) and value == bound:
                    slots.append((position, name))
        missing = set(markers) - {name for _, name in slots}
        if missing:
            raise ValueError(f"PreparedQuery: the value of {', '.join(sorted(missing))} is not a plain parameter")
        compiled = _Compiled()
        compiled.sql = sql
        compiled.params = list(params)
        compiled.slots = slots
        compiled.select = compiler.select
        compiled.klass_info = compiler.klass_info
        compiled.annotation_col_map = compiler.annotation_col_map
        compiled.col_count = compiler.col_count
        query = queryset.query
        compiled.names = (
            [*query.extra_select, *query.values_select, *query.annotation_select]
            if queryset._iterable_class is ValuesIterable
            else None
        )
        compiled.converters = list(
            compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]).items()
        )
        self._compiled[key] = compiled
        return compiled

    def all(self, using="default", **values) -> list:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"PreparedQuery takes {sorted(self._kinds)}, not {sorted(values)}")
        for name, kind in self._kinds.items():
            if type(values[name]) is not kind:
                raise TypeError(f"PreparedQuery: {name} must be {kind.__name__}")
            if kind is int and not _INT64_MIN <= values[name] <= _INT64_MAX:
                return []  # no 64-bit column holds it (an address's id too large, say): nothing matches
        compiled = self._compile(using)
        params = list(compiled.params)
        connection = connections[using]
        for position, name in compiled.slots:
            params[position] = _bound(self._kinds[name], values[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        if compiled.converters:
            rows = [self._convert(row, compiled.converters, connection) for row in rows]
        if compiled.names is not None:
            return [dict(zip(compiled.names, row, strict=True)) for row in rows]
        select, klass_info, annotation_col_map = compiled.select, compiled.klass_info, compiled.annotation_col_map
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        related_populators = get_related_populators(klass_info, select, using)
        objects = []
        for row in rows:
            obj = model_cls.from_db(using, init_list, row[start:end])
            for populator in related_populators:
                populator.populate(row, obj)
            if annotation_col_map:
                for name, position in annotation_col_map.items():
                    setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    @staticmethod
    def _convert(row, converters, connection):
        row = list(row)
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row

    def one(self, using="default", **values):
        """The one row's instance, or None if there is none (more than one is an error)."""
        objects = self.all(using, **values)
        if len(objects) > 1:
            raise ValueError(f"PreparedQuery.one() found {len(objects)} rows")
        return objects[0] if objects else None
