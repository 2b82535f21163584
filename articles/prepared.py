"""Querysets compiled once per process, then run with other values.

Django builds and compiles a queryset's SQL each time it is evaluated. For the small
queries of a page that is most of their cost: at 100,000 articles (SQLite), the ten
cards of the home page took 0.85 ms to load, of which compiling 0.46 and running the
SQL 0.07; their two prefetches (topics, bylines) about 1 ms each; the count of
published articles 1.2 ms for a query the database answers in 0.05.

`Prepared(build, *stand_ins)` builds and compiles `build(*stand_ins)` once per database
vendor and shape (the length of each list among the values), and each call puts its
own values in the stand-ins' places in the compiled parameters. The rows become model
instances as the queryset itself would make them, by the compiler that compiled it:
the same fields, converters, `select_related` objects and annotations. A stand-in must
be a value no query holds otherwise (an id like -7_654_321, a datetime to the
microsecond in 2001); `Prepared` refuses one it cannot find in the parameters.
tests/test_prepared.py runs each prepared query of the site against its queryset.
"""

import datetime
import functools
import weakref

from django.db import connection
from django.db.models.query import get_related_populators


def _adapt(value):
    """A value as the compiled parameters hold it (Django adapts field values as it
    compiles: on SQLite a datetime is stored as UTC text)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _flat(values):
    for value in values:
        yield from (value if isinstance(value, list | tuple) else [value])


_EVERY = weakref.WeakSet()


def forget():
    """Compile every prepared query again at its next call (a test that changes a rule
    they are built from)."""
    for prepared in _EVERY:
        prepared._compiled.cache_clear()


class Prepared:
    def __init__(self, build, *stand_ins):
        self.build, self.stand_ins = build, stand_ins
        self._compiled = functools.cache(self._compile)
        _EVERY.add(self)

    def _stand_ins(self, shape):
        """The stand-ins for values of this shape. A list's stand-in is a list of one
        id: for a list of n values, the n ids counting down from it."""
        out = []
        for stand_in, length in zip(self.stand_ins, shape, strict=True):
            if length is None:
                out.append(stand_in)
            else:
                out.append([stand_in[0] - i for i in range(length)])
        return out

    def _compile(self, vendor, shape):
        stand_ins = self._stand_ins(shape)
        queryset = self.build(*stand_ins)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("a prepared queryset loads its own rows only")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        places = {_adapt(value): i for i, value in enumerate(_flat(stand_ins))}
        slots = [places.get(param, None) for param in params]
        if len({slot for slot in slots if slot is not None}) != len(places):
            raise ValueError(f"a stand-in of {self.build.__qualname__} is not in its SQL")
        return compiler, sql, [(p, s) for p, s in zip(params, slots, strict=True)]

    def sql(self, *values):
        """(SQL, parameters) for these values."""
        shape = tuple(len(v) if isinstance(v, list | tuple) else None for v in values)
        compiler, sql, slots = self._compiled(connection.vendor, shape)
        flat = [_adapt(value) for value in _flat(values)]
        return compiler, sql, [param if slot is None else flat[slot] for param, slot in slots]

    def _fetch(self, values):
        compiler, sql, params = self.sql(*values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return compiler, cursor.fetchall()

    def __call__(self, *values):
        """The instances the queryset `build(*values)` would give, in its order."""
        return instances(*self._fetch(values))

    def rows(self, *values):
        """The rows of `build(*values)` as tuples in the SELECT's order (its fields, then
        its annotations), each value converted as the queryset converts it: for a
        `values_list()` that names its fields in that order, what it gives."""
        compiler, rows = self._fetch(values)
        return [tuple(row) for row in compiler.results_iter(results=[rows])]


def instances(compiler, rows):
    """Model instances from `rows` of the compiler's SQL, as Django's ModelIterable
    makes them."""
    select, klass_info = compiler.select, compiler.klass_info
    annotations = compiler.annotation_col_map
    model = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    related = get_related_populators(klass_info, select, compiler.using)
    out = []
    for row in compiler.results_iter(results=[rows]):
        obj = model.from_db(compiler.using, names, row[start:end])
        for populator in related:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        out.append(obj)
    return out
