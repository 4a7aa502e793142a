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
    """The date `years` years before a date; from 29 February, the 28th (as PostgreSQL does),
    so that someone born on 1 March is not a year older on 29 February."""

    output_field = DateField()

    def __init__(self, expression, years: int, **extra):
        self.years = int(years)
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite's own '-N years' turns 29 February into 1 March: take the same day of the
        # month N years back, but never past that month's last day.
        sql, params = compiler.compile(self.source_expressions[0])
        back = f"date({sql}, 'start of month', '-{self.years} years'"
        day = f"(CAST(strftime('%%d', {sql}) AS INTEGER) - 1)"
        return (
            f"min({back}, '+' || {day} || ' days'), {back}, '+1 month', '-1 day'))",
            (*params, *params, *params),
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"CAST(%(expressions)s - INTERVAL '{self.years} years' AS date)",
        )
