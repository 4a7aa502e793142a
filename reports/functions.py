"""Date arithmetic the reports need, in each database's own SQL (SQLite and PostgreSQL), so
that grouping tens of thousands of rows by month or age costs what hand-written SQL does."""

from django.db.models import CharField, DateField, Func


class MonthOf(Func):
    """The 'YYYY-MM' of a date."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="strftime('%%%%Y-%%%%m', %(expressions)s)"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')")


class YearsBefore(Func):
    """The date `years` years before a date (29 February to 1 March on SQLite, to 28 February on
    PostgreSQL: the one day a year whose age band may differ)."""

    output_field = DateField()

    def __init__(self, expression, years: int, **extra):
        self.years = int(years)
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template=f"date(%(expressions)s, '-{self.years} years')"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"CAST(%(expressions)s - INTERVAL '{self.years} years' AS date)",
        )
