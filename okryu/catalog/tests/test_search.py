"""Korean product search against the real indexes (FTS5 on SQLite, pg_trgm on PostgreSQL)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okryu.catalog.korean import initials_key, search_key
from okryu.catalog.models import Product
from okryu.catalog.romanization import roman_key
from okryu.catalog.search import (
    REINDEX_STATEMENT_ROWS_MAX,
    SEARCH_TOTAL_MAX,
    SearchPage,
    prepare_search_fields,
    reindex_products,
    search_products,
)
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.core.errors import InvalidInput
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

only_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite FTS5 index"
)
only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pg_trgm index"
)
# On PostgreSQL a search that can use the trigram index first sets the planner's page cost.
PLANNER_SETTING_QUERIES = 1 if connection.vendor == "postgresql" else 0


@pytest.fixture
def merchant():
    return MerchantFactory.create()


@pytest.fixture
def category():
    return CategoryFactory.create()


@pytest.fixture
def make_product(merchant, category):
    def make(name, name_en="", **fields):
        fields.setdefault("merchant", merchant)
        fields.setdefault("category", category)
        return ProductFactory.create(name=name, name_en=name_en, **fields)

    return make


def names_found(
    query: str, *, category_id: int | None = None, merchant_id: int | None = None
) -> list[str]:
    page = search_products(
        query=query,
        limit=settings.OKRYU_PAGE_SIZE_MAX,
        category_id=category_id,
        merchant_id=merchant_id,
    )
    return [product.name for product in page.products]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        pytest.param("랭면", "냉면", id="south-finds-north-cold-noodles"),
        pytest.param("냉면", "랭면", id="north-finds-south-cold-noodles"),
        pytest.param("로동화", "노동", id="south-finds-north-labour"),
        pytest.param("노동장갑", "로동", id="north-finds-south-labour"),
        pytest.param("조선료리", "요리", id="south-finds-north-cooking"),
        pytest.param("요리책", "료리", id="north-finds-south-cooking"),
        pytest.param("녀자양말", "여자", id="south-finds-north-woman"),
        pytest.param("여자신발", "녀자", id="north-finds-south-woman"),
        pytest.param("평양랭면", "냉면", id="compound-by-south"),
        pytest.param("평양랭면", "랭면", id="compound-by-north"),
        pytest.param("평양냉면", "평양랭면", id="whole-compound"),
    ],
)
def test_north_and_south_spellings_find_each_other(make_product, name, query):
    make_product(name)
    make_product("두부")

    assert names_found(query) == [name]


def test_south_initials_find_both_spellings_and_exact_initials_rank_first(
    make_product,
):
    for name in ["나무젓가락", "냉면", "랭면", "김치"]:
        make_product(name)

    assert names_found("ㄴㅁ") == ["냉면", "랭면", "나무젓가락"]


def test_north_initials_find_the_names_written_with_rieul(make_product):
    for name in ["나무젓가락", "냉면", "랭면", "평양랭면"]:
        make_product(name)

    assert names_found("ㄹㅁ") == ["랭면", "평양랭면"]


def test_a_one_syllable_query_finds_the_syllable_but_not_a_closed_one(make_product):
    for name in ["녹차", "보리차", "반찬", "착즙주스", "쌀", "찹쌀", "쌀국수"]:
        make_product(name)

    assert names_found("차") == ["녹차", "보리차"]
    assert names_found("쌀") == ["쌀", "쌀국수", "찹쌀"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("두부", ["두부", "두부찌개", "순두부"], id="tofu"),
        pytest.param("김치", ["김치", "배추김치"], id="kimchi"),
    ],
)
def test_a_two_syllable_query_finds_the_word_anywhere(make_product, query, expected):
    for name in ["순두부", "두부찌개", "두부", "배추김치", "김치", "김밥"]:
        make_product(name)

    assert names_found(query) == expected


def test_english_names_match_in_any_case_and_an_exact_one_ranks_first(make_product):
    make_product("평양랭면", "Pyongyang cold noodles")
    make_product("냉면", "Cold Noodles")
    make_product("녹차", "Green tea")

    assert names_found("cold noodles") == ["냉면", "평양랭면"]
    assert names_found("NOODLES") == ["냉면", "평양랭면"]
    assert names_found("tea") == ["녹차"]


def test_every_word_of_the_query_must_match(make_product):
    make_product("평양랭면", "Pyongyang cold noodles")
    make_product("함흥냉면", "Hamhung cold noodles")

    assert names_found("평양 냉면") == ["평양랭면"]
    assert names_found("cold hamhung") == ["함흥냉면"]


def test_an_exact_name_ranks_first_then_names_starting_with_the_query(make_product):
    for name in ["평양랭면", "냉면육수", "랭면", "물냉면", "냉면"]:
        make_product(name)

    assert names_found("냉면") == ["냉면", "랭면", "냉면육수", "물냉면", "평양랭면"]


def test_short_latin_terms_are_matched_without_the_index(make_product):
    make_product("텔레비전", "TV set")
    make_product("라디오", "Radio set")

    assert names_found("tv") == ["텔레비전"]
    assert names_found("o") == ["라디오"]
    assert names_found("set") == ["라디오", "텔레비전"]
    assert names_found("set tv") == ["텔레비전"]


def test_a_single_initial_consonant_finds_the_names_with_that_initial(make_product):
    make_product("김치", "Kimchi")
    make_product("두부", "Tofu")

    assert names_found("ㄷ") == ["두부"]


def test_the_category_and_merchant_filters_narrow_the_results(make_product):
    other_category = CategoryFactory.create()
    other_merchant = MerchantFactory.create()
    make_product("냉면")
    in_other_category = make_product("물냉면", category=other_category)
    at_other_merchant = make_product("비빔냉면", merchant=other_merchant)

    assert names_found("냉면", category_id=other_category.id) == ["물냉면"]
    assert names_found("냉면", merchant_id=other_merchant.id) == ["비빔냉면"]
    assert (
        names_found(
            "냉면",
            category_id=in_other_category.category_id,
            merchant_id=at_other_merchant.merchant_id,
        )
        == []
    )


def test_inactive_products_and_products_of_inactive_merchants_are_hidden(
    make_product,
):
    make_product("냉면")
    make_product("물냉면", is_active=False)
    make_product("비빔냉면", merchant=MerchantFactory.create(is_active=False))

    assert names_found("냉면") == ["냉면"]


def test_results_come_with_merchant_and_category_loaded(
    make_product, django_assert_num_queries
):
    make_product("냉면")
    make_product("물냉면")

    with django_assert_num_queries(2 + PLANNER_SETTING_QUERIES):
        page = search_products(query="냉면", limit=10)
        labels = [(p.merchant.name, p.category.name) for p in page.products]

    assert len(labels) == 2


def test_pages_are_cut_by_limit_and_offset_with_the_total(
    make_product, django_assert_num_queries
):
    for number in range(5):
        make_product(f"김치{number}")

    with django_assert_num_queries(2 + PLANNER_SETTING_QUERIES):
        first = search_products(query="김치", limit=2)
    with django_assert_num_queries(2 + PLANNER_SETTING_QUERIES):
        last = search_products(query="김치", limit=2, offset=4)
    past_the_end = search_products(query="김치", limit=2, offset=10)

    assert [p.name for p in first.products] == ["김치0", "김치1"]
    assert first.total == 5
    assert [p.name for p in last.products] == ["김치4"]
    assert last.total == 5
    assert past_the_end == SearchPage(products=[], total=5)


def test_the_total_and_paging_stop_at_the_stated_maximum(merchant, category):
    products = [
        Product(
            merchant=merchant,
            category=category,
            name=f"두부{number:04d}",
            name_en="Tofu",
            unit="모",
            price_won=1000,
            weight_grams=300,
        )
        for number in range(SEARCH_TOTAL_MAX + 5)
    ]
    for product in products:
        prepare_search_fields(product)
    Product.objects.bulk_create(products)

    first = search_products(query="두부", limit=10)
    last = search_products(query="두부", limit=10, offset=SEARCH_TOTAL_MAX - 1)
    beyond = search_products(query="두부", limit=10, offset=SEARCH_TOTAL_MAX)

    assert first.total == SEARCH_TOTAL_MAX
    assert [p.name for p in last.products] == [f"두부{SEARCH_TOTAL_MAX - 1:04d}"]
    assert beyond == SearchPage(products=[], total=SEARCH_TOTAL_MAX)


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "%_!"])
def test_a_blank_query_finds_nothing_without_asking_the_database(
    make_product, django_assert_num_queries, query
):
    make_product("냉면")

    with django_assert_num_queries(0):
        page = search_products(query=query, limit=10)

    assert page == SearchPage(products=[], total=0)


def test_a_query_at_the_length_maximum_is_searched(make_product):
    make_product("냉면")
    length_max = settings.OKRYU_SEARCH_QUERY_LENGTH_MAX

    page = search_products(query="냉면" + " " * (length_max - 2), limit=10)

    assert [p.name for p in page.products] == ["냉면"]


@pytest.mark.parametrize(
    "length",
    [
        pytest.param(settings.OKRYU_SEARCH_QUERY_LENGTH_MAX + 1, id="one-past"),
        pytest.param(10_000, id="ten-thousand"),
    ],
)
def test_an_over_long_query_is_refused(make_product, django_assert_num_queries, length):
    make_product("냉면")

    with django_assert_num_queries(0), pytest.raises(InvalidInput) as refusal:
        search_products(query="냉" * length, limit=10)

    assert refusal.value.field == "q"
    assert refusal.value.code == "invalid"


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [
        pytest.param(0, 0, "limit", id="zero-limit"),
        pytest.param(settings.OKRYU_PAGE_SIZE_MAX + 1, 0, "limit", id="limit-past-max"),
        pytest.param(10, -1, "offset", id="negative-offset"),
    ],
)
def test_a_page_outside_the_bounds_is_refused(limit, offset, field):
    with pytest.raises(InvalidInput) as refusal:
        search_products(query="냉면", limit=limit, offset=offset)

    assert refusal.value.field == field


def test_saving_a_renamed_product_reindexes_it(make_product):
    product = make_product("냉면", "Cold noodles")

    product.name = "두부"
    product.name_en = "Tofu"
    product.save(update_fields=["name", "name_en"])

    assert names_found("냉면") == []
    assert names_found("두부") == ["두부"]
    assert names_found("tofu") == ["두부"]


def test_saving_other_fields_keeps_the_search_columns(make_product):
    product = make_product("냉면")
    columns_before = (product.search_text, product.search_initials)

    product.price_won = 2000
    product.save(update_fields=["price_won"])
    product.refresh_from_db()

    assert (product.search_text, product.search_initials) == columns_before
    assert names_found("냉면") == ["냉면"]


def test_bulk_created_products_are_found_after_reindexing(merchant, category):
    names = ["랭면", "김치", "두부"]
    Product.objects.bulk_create(
        Product(
            merchant=merchant,
            category=category,
            name=name,
            name_en="",
            unit="개",
            price_won=1000,
            weight_grams=100,
        )
        for name in names
    )
    ids = sorted(Product.objects.values_list("id", flat=True))
    assert names_found("냉면") == []

    reindexed_some = reindex_products(product_ids=[ids[0], ids[1], 999_999])
    found_after_some = (names_found("냉면"), names_found("두부"))
    reindexed_all = reindex_products(batch_size=2)

    assert reindexed_some == 2
    assert found_after_some == (["랭면"], [])
    assert reindexed_all == 3
    assert names_found("두부") == ["두부"]
    assert names_found("ㄹㅁ") == ["랭면"]


@only_sqlite
def test_sqlite_trigram_index_matches_two_syllables_only_as_jamo(make_product):
    """The pitfall of DESIGN.md: FTS5 trigrams cannot match 냉면 written as syllables."""
    product = make_product("평양랭면")
    with connection.cursor() as cursor:
        sql = "SELECT rowid FROM catalog_product_search WHERE catalog_product_search MATCH %s"
        cursor.execute(sql, ['search_text : "냉면"'])
        as_syllables = cursor.fetchall()
        cursor.execute(sql, [f'search_text : "{search_key("냉면")}"'])
        as_jamo = cursor.fetchall()

    assert as_syllables == []
    assert as_jamo == [(product.id,)]


@only_sqlite
def test_sqlite_search_of_two_syllables_goes_through_the_fts_index(make_product):
    make_product("평양랭면")

    with CaptureQueriesContext(connection) as queries:
        found = names_found("냉면")

    assert found == ["평양랭면"]
    assert "catalog_product_search MATCH" in queries.captured_queries[0]["sql"]


@only_sqlite
def test_sqlite_index_triggers_exist_after_the_whole_migration_chain():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'catalog_product' ORDER BY name"
        )
        triggers = [row[0] for row in cursor.fetchall()]

    assert triggers == [
        "catalog_product_search_delete",
        "catalog_product_search_insert",
        "catalog_product_search_update",
    ]


@only_sqlite
def test_sqlite_index_forgets_deleted_products(make_product):
    product = make_product("냉면")

    product.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM catalog_product_search "
            "WHERE catalog_product_search MATCH %s",
            [f'search_text : "{search_key("냉면")}"'],
        )
        (remaining,) = cursor.fetchone()

    assert remaining == 0


@only_postgresql
@pytest.mark.parametrize(
    ("column", "index"),
    [
        ("search_text", "catalog_product_search_text_trgm"),
        ("search_initials", "catalog_product_search_initials_trgm"),
        ("search_roman", "catalog_product_search_roman_trgm"),
    ],
)
def test_postgresql_trigram_index_serves_a_two_syllable_or_two_initial_query(
    column, index
):
    """pg_trgm in a C.UTF-8 database extracts trigrams from the jamo keys."""
    term = {
        "search_text": search_key("냉면"),
        "search_initials": initials_key("ㄴㅁ"),
        "search_roman": roman_key("naengmyon"),
    }[column]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM catalog_product WHERE {column} LIKE %s",  # noqa: S608
            [f"%{term}%"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT show_trgm(%s)", [term])
        (trigrams,) = cursor.fetchone()

    assert index in plan
    assert len(trigrams) == len(term) + 1


def test_reindexing_more_rows_than_one_statement_holds_updates_them_all(
    merchant, category
):
    row_count = REINDEX_STATEMENT_ROWS_MAX + 3
    Product.objects.bulk_create(
        Product(
            merchant=merchant,
            category=category,
            name=f"김치{number:04d}",
            name_en="Kimchi",
            unit="kg",
            price_won=1000,
            weight_grams=1000,
        )
        for number in range(row_count)
    )

    reindexed = reindex_products()

    assert reindexed == row_count
    assert Product.objects.filter(search_text="").count() == 0
    assert names_found(f"김치{row_count - 1:04d}") == [f"김치{row_count - 1:04d}"]


@only_sqlite
def test_sqlite_index_stays_consistent_with_the_products_through_writes(make_product):
    renamed = make_product("냉면")
    deleted = make_product("김치")
    make_product("두부")
    renamed.name = "평양랭면"
    renamed.save()
    deleted.delete()
    Product.objects.filter(name="두부").update(stock_on_hand=5, search_text="")
    reindex_products()

    with connection.cursor() as cursor:
        # Raises (SQLITE_CORRUPT_VTAB) when the index disagrees with catalog_product.
        cursor.execute(
            "INSERT INTO catalog_product_search(catalog_product_search, rank) "
            "VALUES ('integrity-check', 1)"
        )

    assert names_found("냉면") == ["평양랭면"]
    assert names_found("김치") == []
    assert names_found("두부") == ["두부"]


ROMANIZED_QUERIES = [
    pytest.param("평양랭면", "naengmyeon", id="rr"),
    pytest.param("평양랭면", "naengmyŏn", id="mr-with-breve"),
    pytest.param("평양랭면", "naengmyon", id="mr-without-breve"),
    pytest.param("평양랭면", "raengmyon", id="north"),
    pytest.param("평양냉면", "raengmyŏn", id="north-finds-south"),
    pytest.param("평양랭면", "Pyongyang naengmyon", id="two-words"),
    pytest.param("평양랭면", "p'yŏngyangraengmyŏn", id="one-word"),
    pytest.param("배추김치", "kimchi", id="kimchi"),
    pytest.param("배추김치", "gimchi", id="gimchi"),
    pytest.param("배추김치", "kimch'i", id="kimchi-apostrophe"),
    pytest.param("두부", "tubu", id="tubu"),
    pytest.param("두부", "dubu", id="dubu"),
    pytest.param("옥류관 쟁반국수", "okryu-gwan", id="letter-by-letter"),
    pytest.param("옥류관 쟁반국수", "ongnyugwan", id="as-said"),
]


@pytest.mark.parametrize(("name", "query"), ROMANIZED_QUERIES)
def test_romanized_queries_find_the_korean_names(make_product, name, query):
    make_product(name)
    make_product("양말", "Socks")

    assert names_found(query) == [name]


def test_an_english_word_does_not_match_inside_a_romanization(make_product):
    """Text and romanizations are separate columns: tofu is an English name's word only."""
    make_product("두부", "Tofu")
    make_product("토푸사탕")  # romanized topusatang: holds "topu" and "o", not "tofu"
    make_product("라디오", "Radio")

    assert names_found("tofu") == ["두부"]
    assert names_found("o") == ["두부", "라디오"]


def test_an_exact_romanized_name_ranks_before_longer_names(make_product):
    make_product("두부찌개")
    make_product("두부")
    make_product("순두부")

    assert names_found("dubu") == ["두부", "두부찌개", "순두부"]


@only_sqlite
def test_sqlite_romanized_search_goes_through_the_fts_index(make_product):
    make_product("평양랭면")

    with CaptureQueriesContext(connection) as queries:
        found = names_found("naengmyon")

    assert found == ["평양랭면"]
    sql = queries.captured_queries[0]["sql"]
    assert "catalog_product_search MATCH" in sql
    assert 'search_roman : "naenkmyon"' in sql


def test_bulk_created_products_get_their_roman_keys_by_reindexing(merchant, category):
    products = [
        Product(
            merchant=merchant,
            category=category,
            name=name,
            name_en="",
            unit="개",
            price_won=1000,
            weight_grams=100,
        )
        for name in ("김치", "두부")
    ]
    Product.objects.bulk_create(products)

    before = names_found("kimchi")
    reindex_products(product_ids=[product.pk for product in products])

    assert before == []
    assert names_found("kimchi") == ["김치"]
