"""Producers' pages: what people wanted and could not get, and what to make next.

Only the staff of a product's merchant see it; another merchant's product is 404, as on the
other merchant pages. Charts are SVG drawn on the server (``okryu.insights.charts``).
"""

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.core import clock
from okryu.core.errors import NotFound
from okryu.insights.charts import bars_svg, forecast_svg
from okryu.insights.reports import (
    SUMMARY_DAYS,
    ProductInsight,
    merchant_summary,
    product_insight_for_staff,
)
from okryu.web.merchant.access import MerchantStaffRequiredMixin

CHART_HISTORY_DAYS = 28


class SummaryView(MerchantStaffRequiredMixin, View):
    """My products ranked by unmet demand over the last four weeks."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the ranked summary."""
        assert isinstance(request.user, User)
        rows = merchant_summary(
            staff_user_id=request.user.pk, today=clock.local_today()
        )
        return render(
            request,
            "web/insights/summary.html",
            {"rows": rows, "days": SUMMARY_DAYS},
        )


class SummaryCsvView(MerchantStaffRequiredMixin, View):
    """The summary as CSV, for a spreadsheet."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Answer the summary's rows as CSV."""
        assert isinstance(request.user, User)
        rows = merchant_summary(
            staff_user_id=request.user.pk, today=clock.local_today()
        )
        table: list[list[object]] = [
            ["product", "name", "name_en", "sold", "unmet", "waiting"]
        ]
        table += [
            [
                row.product.pk,
                row.product.name,
                row.product.name_en,
                row.sold,
                row.unmet,
                row.waiting,
            ]
            for row in rows
        ]
        return _csv_response(table, filename="okryu-demand-summary.csv")


def _insight(request: HttpRequest, product_id: int) -> ProductInsight:
    assert isinstance(request.user, User)
    try:
        return product_insight_for_staff(
            staff_user_id=request.user.pk, product_id=product_id
        )
    except NotFound as error:
        raise Http404(error.detail) from error


class ProductView(MerchantStaffRequiredMixin, View):
    """One product: demand by day and district, the forecast, and the suggested quantity."""

    def get(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Show the product's insight with its two charts."""
        insight = _insight(request, product_id)
        history = insight.history
        recent_sold = history.sold[-CHART_HISTORY_DAYS:]
        recent_unmet = history.unmet[-CHART_HISTORY_DAYS:]
        forecast = insight.forecast
        weeks = [
            {
                "start": insight.forecast_days[week * 7],
                # A week's total is the sum of its days' means (Forecast.expected).
                "units": round(sum(forecast.expected[week * 7 : week * 7 + 7])),
                "low": round(sum(forecast.low[week * 7 : week * 7 + 7])),
                "high": round(sum(forecast.high[week * 7 : week * 7 + 7])),
            }
            for week in range(len(forecast.units) // 7)
        ]
        context: dict[str, Any] = {
            "insight": insight,
            "product": insight.product,
            "sold_total": sum(recent_sold),
            "unmet_total": sum(recent_unmet),
            "days": CHART_HISTORY_DAYS,
            # Built from numbers only, with the label escaped: safe to insert as markup.
            "demand_chart": mark_safe(  # noqa: S308
                bars_svg(
                    sold=recent_sold,
                    unmet=recent_unmet,
                    label=gettext("날마다 팔린 수량과 못 산 수량"),
                )
            ),
            "forecast_chart": mark_safe(  # noqa: S308
                forecast_svg(
                    history=history.demand[-CHART_HISTORY_DAYS:],
                    units=forecast.units,
                    low=forecast.low,
                    high=forecast.high,
                    label=gettext("수요와 앞으로 28일의 예측"),
                )
            ),
            "weeks": weeks,
            "level": round(forecast.level * 100),
        }
        return render(request, "web/insights/product.html", context)


class ProductCsvView(MerchantStaffRequiredMixin, View):
    """One product's days, past and forecast, as CSV."""

    def get(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Answer the product's daily figures as CSV."""
        insight = _insight(request, product_id)
        table: list[list[object]] = [
            ["date", "sold", "unmet", "forecast", "low", "high"]
        ]
        table += [
            [day.isoformat(), sold, unmet, "", "", ""]
            for day, sold, unmet in zip(
                insight.history.days,
                insight.history.sold,
                insight.history.unmet,
                strict=True,
            )
        ]
        forecast = insight.forecast
        table += [
            [day.isoformat(), "", "", f"{units:.1f}", f"{low:.1f}", f"{high:.1f}"]
            for day, units, low, high in zip(
                insight.forecast_days,
                forecast.units,
                forecast.low,
                forecast.high,
                strict=True,
            )
        ]
        return _csv_response(table, filename=f"okryu-demand-{product_id}.csv")


def _as_text(cell: object) -> object:
    # A text cell a spreadsheet would run as a formula is written with a leading quote.
    if isinstance(cell, str) and cell and cell[0] in "=+-@":
        return f"'{cell}"
    return cell


def _csv_response(table: list[list[object]], *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow([_as_text(cell) for cell in row])
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
