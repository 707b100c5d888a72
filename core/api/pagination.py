"""Page-number pagination for every list, and a variant for append-only ledgers whose exact
`COUNT(*)` grows with the table."""

import json

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class EstimatedCountPaginator(Paginator):
    """`count` is exact up to `exact_below` rows and the planner's estimate above (PostgreSQL).

    Counting a million-row ledger on every page costs tens of milliseconds; the estimate costs
    one EXPLAIN of the count query (no joins to plan beyond the filters'). A page that comes back
    short settles the count exactly (`settle`), so the last page and small filtered lists are
    always right."""

    exact_below = 20_000
    estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            estimate = self._estimate(queryset, connection)
            if estimate >= self.exact_below:
                self.estimated = True
                return estimate
        return queryset.count()

    @staticmethod
    def _estimate(queryset, connection) -> int:
        # What COUNT(*) would scan: the filters, not the related rows the page shows.
        try:
            sql, params = (
                queryset.select_related(None).prefetch_related(None).order_by().values("pk").query.sql_with_params()
            )
        except EmptyResultSet:  # filters that match nothing (an unknown code): no query to run
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def page(self, number):
        """The page, read as the slice it is: an estimate below the true count must neither cut
        the page short nor refuse the pages past it (a page past the end is empty)."""
        if not self.count or not self.estimated:
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(_("That page number is not an integer")) from exc
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        page = self._get_page(rows, number, self)
        self.settle(page, rows)
        return page

    def get_page(self, number):
        """As Paginator.get_page; a page past an overestimated end falls back to the first."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(1)

    def settle(self, page, rows: list) -> None:
        """Correct an estimated count with what the page found: a short page is the last one, a
        full page is never the last one."""
        if not self.estimated:
            return
        offset = (page.number - 1) * self.per_page
        full = len(rows) == self.per_page
        self.__dict__["count"] = max(self.count, offset + len(rows) + 1) if full else offset + len(rows)
        self.__dict__.pop("num_pages", None)


class LedgerPagination(PageNumberPagination):
    """For large lists (the stock ledger, work orders): the same page shape, the count estimated
    past EstimatedCountPaginator.exact_below rows."""

    django_paginator_class = EstimatedCountPaginator
