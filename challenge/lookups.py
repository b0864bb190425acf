"""The `in` lookup of integer fields (ids included) treats a number the database's integer
cannot hold as matching nothing, as Django's own `exact`, `lt` and `gt` already do. Without
this, a form or admin page given such an id among several (a multiple choice) fails on SQLite
with OverflowError: a server error instead of "not one of the available choices"."""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def as_sql(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().as_sql(compiler, connection)
