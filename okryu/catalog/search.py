"""Korean product search: keeping the derived search columns right, and the search query.

The pure rules (spellings, initials, keys) live in ``okryu.catalog.korean`` and
``okryu.catalog.romanization``. Each product carries three derived columns, ``search_text``,
``search_initials`` and ``search_roman``; ``Product.save()`` keeps them right, and bulk
writers call ``prepare_search_fields`` or ``reindex_products``.

The indexes (migrations 0004 and 0009):

- PostgreSQL: GIN pg_trgm indexes on the three columns; a ``LIKE '%term%'`` uses them.
- SQLite: the FTS5 trigram table ``catalog_product_search`` (external content, kept in sync by
  triggers), queried with ``MATCH``.

A term shorter than three index letters cannot use a trigram index and is matched by a scan
of the product rows instead (``LIKE`` on SQLite, ``strpos`` on PostgreSQL). With the search
keys of ``korean`` every Hangul syllable and every initial consonant is three letters, so only
one- or two-character Latin or digit terms (tv, o, 3) take that path.

Every match is ranked (exact, prefix, other), so a very common term costs a sort of all its
matches; the trigram index keeps finding them cheap.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from okryu.catalog.groups import ProductGroupPage, list_product_groups
from okryu.catalog.korean import (
    PART_SEPARATOR,
    TRIGRAM_LENGTH,
    SearchQuery,
    TermKey,
    parse_search_query,
    search_columns,
)
from okryu.catalog.models import Product
from okryu.core.errors import InvalidInput
from okryu.core.replica import lagging_read

# ``SearchPage.total`` counts at most this many matches, and only the first this-many ranked
# matches can be paged through: the count and the OFFSET stay bounded however common the term.
SEARCH_TOTAL_MAX = 1_000
REINDEX_BATCH_SIZE_MAX = 10_000
# Rows per UPDATE statement: 6 parameters each, under SQLite's 32,766 bound parameters.
REINDEX_STATEMENT_ROWS_MAX = 1_000
SQLITE_SEARCH_TABLE = "catalog_product_search"

_RANK_EXACT = 0
_RANK_PREFIX = 1
_RANK_OTHER = 2


@dataclass(frozen=True)
class SearchPage:
    """One page of search results, best first.

    ``total`` is the number of matches, counted up to ``SEARCH_TOTAL_MAX`` (a larger number of
    matches is reported as ``SEARCH_TOTAL_MAX``).
    """

    products: list[Product]
    total: int


def prepare_search_fields(product: Product) -> None:
    """Set ``product``'s derived search columns from its own ``name`` and ``name_en``.

    For writers that skip ``save()`` (``bulk_create``, ``bulk_update``); does not save.
    """
    columns = search_columns(name=product.name, name_en=product.name_en)
    product.search_text = columns.text
    product.search_initials = columns.initials
    product.search_roman = columns.roman


def reindex_products(
    *, product_ids: Sequence[int] | None = None, batch_size: int = 2000
) -> int:
    """Recompute the derived search columns of the given products (all when ``None``).

    Works in batches of ``batch_size`` by id, each batch in its own transaction, and writes
    only rows whose columns changed (so the SQLite index triggers fire only for those).
    Returns the number of products examined.
    """
    assert 0 < batch_size <= REINDEX_BATCH_SIZE_MAX, batch_size
    examined = 0
    for batch in _reindex_products_batches(product_ids, batch_size):
        _reindex_products_write(batch)
        examined += len(batch)
    return examined


_ReindexRow = tuple[int, str, str, str, str, str]


def _reindex_products_batches(
    product_ids: Sequence[int] | None, batch_size: int
) -> Iterator[list[_ReindexRow]]:
    fields = ("id", "name", "name_en", "search_text", "search_initials", "search_roman")
    if product_ids is not None:
        wanted = sorted(set(product_ids))
        for start in range(0, len(wanted), batch_size):
            chunk = wanted[start : start + batch_size]
            yield list(
                Product.objects.filter(id__in=chunk).order_by("id").values_list(*fields)
            )
        return
    last_id = 0
    while True:
        batch = list(
            Product.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list(*fields)[:batch_size]
        )
        if not batch:
            return
        yield batch
        last_id = batch[-1][0]


def _reindex_products_write(batch: list[_ReindexRow]) -> None:
    changed: list[_ReindexRow] = []
    for product_id, name, name_en, text, initials, roman in batch:
        columns = search_columns(name=name, name_en=name_en)
        if (columns.text, columns.initials, columns.roman) != (text, initials, roman):
            changed.append(
                (
                    product_id,
                    name,
                    name_en,
                    columns.text,
                    columns.initials,
                    columns.roman,
                )
            )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(changed), REINDEX_STATEMENT_ROWS_MAX):
            rows = changed[start : start + REINDEX_STATEMENT_ROWS_MAX]
            cursor.execute(
                _reindex_products_sql(len(rows)),
                [value for row in rows for value in row],
            )


def _reindex_products_sql(row_count: int) -> str:
    # One statement for many rows: Django's bulk_update builds a CASE that SQLite evaluates row
    # by row (quadratic in the batch size). The name guard skips a row renamed since it was
    # read: its save() has already set its columns.
    table = connection.ops.quote_name(Product._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * row_count)
    return (
        f"WITH fresh(id, name, name_en, text, initials, roman) "  # noqa: S608
        f"AS (VALUES {values}) "
        f"UPDATE {table} SET search_text = fresh.text, search_initials = fresh.initials, "
        f"search_roman = fresh.roman "
        f"FROM fresh WHERE {table}.id = fresh.id AND {table}.name = fresh.name "
        f"AND {table}.name_en = fresh.name_en"
    )


def search_products(
    *,
    query: str,
    category_id: int | None = None,
    merchant_id: int | None = None,
    limit: int,
    offset: int = 0,
    category_ids: Sequence[int] | None = None,
) -> SearchPage:
    """Find active products of active merchants whose names match ``query``, best first.

    Korean-aware (see ``okryu.catalog.korean``): North and South spellings find each other,
    a query of initial consonants matches the syllables' initials, ``name_en`` matches
    case-insensitively, and every word of the query must match. Ranking: the whole query
    equals the name (either spelling) or ``name_en``; then a name starting with it; then the
    rest; ties by name, then id. A blank query finds nothing. Two queries (the ranked page
    with the count, then its products), plus on PostgreSQL one ``SET LOCAL`` of the planner's
    page cost (see ``_trigram_index_preferred``).

    Raises ``InvalidInput(field="q")`` for a query longer than
    ``settings.OKRYU_SEARCH_QUERY_LENGTH_MAX``, ``InvalidInput(field="limit"/"offset")`` for a
    limit outside 1..``OKRYU_PAGE_SIZE_MAX`` or a negative offset. ``category_ids`` limits the
    search to several categories at once (a category and its subcategories).
    """
    _search_products_check(query=query, limit=limit, offset=offset)
    parsed = parse_search_query(query)
    if not parsed.terms:
        return SearchPage(products=[], total=0)
    # A read that tolerates lag: from the replica when it is well (okryu.core.replica).
    return lagging_read(
        lambda alias: _search_products(
            alias,
            parsed,
            category_id=category_id,
            merchant_id=merchant_id,
            limit=limit,
            offset=offset,
            category_ids=category_ids,
        )
    )


def _search_products(  # noqa: PLR0913  (the search's own arguments, and where to read)
    alias: str,
    parsed: SearchQuery,
    *,
    category_id: int | None,
    merchant_id: int | None,
    limit: int,
    offset: int,
    category_ids: Sequence[int] | None,
) -> SearchPage:
    matches = _matching_products(parsed, alias)
    if category_id is not None:
        matches = matches.filter(category_id=category_id)
    if category_ids is not None:
        matches = matches.filter(category_id__in=category_ids)
    if merchant_id is not None:
        matches = matches.filter(merchant_id=merchant_id)
    end = min(offset + limit, SEARCH_TOTAL_MAX)
    with _trigram_index_preferred(parsed, alias):
        if offset >= end:
            return SearchPage(products=[], total=_count_matches(matches))
        # One pass over the matches ranks them, cuts the page and counts them all: the window
        # count rides along with the sort, which has to see every match anyway. The page's
        # few products are then loaded with their merchant and category by primary key.
        page_rows = list(
            matches.annotate(search_total=Window(Count("id")))
            .order_by(_rank(parsed), "name", "id")
            .values_list("id", "search_total")[offset:end]
        )
        if not page_rows:
            total = 0 if offset == 0 else _count_matches(matches)
            return SearchPage(products=[], total=total)
        loaded = (
            Product.objects.using(alias)
            .select_related("merchant", "category")
            .in_bulk([product_id for product_id, _total in page_rows])
        )
        return SearchPage(
            # A product deleted between the two reads is left out.
            products=[loaded[id_] for id_, _total in page_rows if id_ in loaded],
            total=min(page_rows[0][1], SEARCH_TOTAL_MAX),
        )


def search_product_groups(
    *, query: str, limit: int, offset: int = 0
) -> ProductGroupPage:
    """Find products as ``search_products`` does, each product once however many merchants
    sell it (``okryu.catalog.groups``): groups by best rank, then name.

    The same refusals as ``search_products``; at most ``SEARCH_TOTAL_MAX`` groups counted
    and paged through.
    """
    _search_products_check(query=query, limit=limit, offset=offset)
    parsed = parse_search_query(query)
    if not parsed.terms:
        return ProductGroupPage(groups=[], total=0)
    limit = min(limit, SEARCH_TOTAL_MAX - offset)
    # A read that tolerates lag: from the replica when it is well (okryu.core.replica).
    return lagging_read(
        lambda alias: _search_product_groups(alias, parsed, limit=limit, offset=offset)
    )


def _search_product_groups(
    alias: str, parsed: SearchQuery, *, limit: int, offset: int
) -> ProductGroupPage:
    matches = _matching_products(parsed, alias)
    with _trigram_index_preferred(parsed, alias):
        if limit <= 0:
            total = list_product_groups(
                matches, ordering=("name",), limit=1, total_max=SEARCH_TOTAL_MAX
            ).total
            return ProductGroupPage(groups=[], total=total)
        return list_product_groups(
            matches,
            ordering=("group_rank", "name", "unit"),
            limit=limit,
            offset=offset,
            rank=_rank(parsed),
            total_max=SEARCH_TOTAL_MAX,
        )


def _search_products_check(*, query: str, limit: int, offset: int) -> None:
    length_max: int = settings.OKRYU_SEARCH_QUERY_LENGTH_MAX
    if len(query) > length_max:
        raise InvalidInput(f"검색어는 {length_max}자까지입니다.", field="q")
    page_size_max: int = settings.OKRYU_PAGE_SIZE_MAX
    if not 1 <= limit <= page_size_max:
        raise InvalidInput(
            f"한 쪽은 1개부터 {page_size_max}개까지입니다.", field="limit"
        )
    if offset < 0:
        raise InvalidInput("시작 위치는 0 이상이어야 합니다.", field="offset")


def _count_matches(matches: QuerySet[Product]) -> int:
    return matches.order_by()[:SEARCH_TOTAL_MAX].count()


def _column(term_key: TermKey) -> str:
    return f"search_{term_key.field}"


def _is_indexed(term: tuple[TermKey, ...]) -> bool:
    """Whether every alternative of ``term`` is long enough for the trigram index."""
    return all(len(term_key.key) >= TRIGRAM_LENGTH for term_key in term)


def _indexed_terms(parsed: SearchQuery) -> list[tuple[TermKey, ...]]:
    return [term for term in parsed.terms if _is_indexed(term)]


def _matching_products(parsed: SearchQuery, alias: str) -> QuerySet[Product]:
    matches = Product.objects.using(alias).filter(
        is_active=True, merchant__is_active=True
    )
    fts_terms = _indexed_terms(parsed) if connections[alias].vendor == "sqlite" else []
    for term in parsed.terms:
        if term in fts_terms:
            continue  # matched through the FTS5 table below
        matches = matches.filter(_term_condition(term))
    if fts_terms:
        # Keys are letters and digits only (korean.search_key, romanization.roman_key), so
        # quoting cannot break out.
        expression = " AND ".join(
            "(" + " OR ".join(f'{_column(each)} : "{each.key}"' for each in term) + ")"
            for term in fts_terms
        )
        matches = matches.filter(
            id__in=RawSQL(  # noqa: S611 -- the expression is a bound parameter
                f"SELECT rowid FROM {SQLITE_SEARCH_TABLE} "  # noqa: S608
                f"WHERE {SQLITE_SEARCH_TABLE} MATCH %s",
                [expression],
            )
        )
    return matches


def _term_condition(term: tuple[TermKey, ...]) -> Q:
    """The condition that one alternative of ``term`` occurs in its column."""
    condition = Q()
    for term_key in term:
        column = _column(term_key)
        if connection.vendor == "postgresql" and not _is_indexed(term):
            # Too short for trigrams: strpos, which pg_trgm cannot serve, so the planner
            # never picks a GIN scan of the whole index (ten times slower than a plain scan).
            condition |= Q(GreaterThan(StrIndex(column, Value(term_key.key)), 0))
        else:
            # On PostgreSQL the pg_trgm GIN indexes serve LIKE '%key%' (a bitmap OR over
            # the alternatives); on SQLite a short term is a LIKE over the product rows.
            condition |= Q(**{f"{column}__contains": term_key.key})
    return condition


@contextmanager
def _trigram_index_preferred(parsed: SearchQuery, alias: str) -> Iterator[None]:
    """On PostgreSQL, make the planner cost random reads as on SSDs, for this search only.

    With the default ``random_page_cost`` (4) the planner scans all 100,000 rows for a common
    term (냉면, tea) instead of using the trigram index, two to four times slower. A server
    configured with ``random_page_cost = 1.1`` would need none of this.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql" or not _indexed_terms(parsed):
        yield
        return
    # savepoint=False: reads only, and no SAVEPOINT round trip inside a caller's transaction.
    with (
        transaction.atomic(using=alias, savepoint=False),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def _rank(parsed: SearchQuery) -> Case:
    """0 when a part of a column equals a whole-query key, 1 when one starts with it, else 2.

    A column holds its parts separated by ``PART_SEPARATOR`` (``name`` then ``name_en``, the
    initials as written then normalized, the roman keys letter by letter then as said), so
    "a part equals" is "the column equals it, starts with it and a separator, or ends with a
    separator and it", and "starts a part" is "starts the column or follows a separator".
    """
    exact = Q()
    prefix = Q()
    for whole in parsed.wholes:
        column, key = _column(whole), whole.key
        exact |= (
            Q(**{column: key})
            | Q(**{f"{column}__startswith": key + PART_SEPARATOR})
            | Q(**{f"{column}__endswith": PART_SEPARATOR + key})
        )
        prefix |= Q(**{f"{column}__startswith": key}) | Q(
            **{f"{column}__contains": PART_SEPARATOR + key}
        )
    return Case(
        When(exact, then=Value(_RANK_EXACT)),
        When(prefix, then=Value(_RANK_PREFIX)),
        default=Value(_RANK_OTHER),
        output_field=IntegerField(),
    )
