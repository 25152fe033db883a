"""The documentation travels with the repository: every link and named document resolves in a clone.

A link to a file outside the repository (``../shared/``, say) works only on the machine that
wrote it; these tests read every Markdown file and every reference to the product documents
and check that each points at something the repository itself contains.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN_FILES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")],
    key=str,
)
# [text](target) in Markdown, leaving out images' and links' titles.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
PRODUCT_DOCUMENTS = ("DESIGN.md", "API.md", "STYLE.md")


def _relative_links(markdown: Path) -> list[str]:
    targets = LINK.findall(markdown.read_text(encoding="utf-8"))
    return [
        target.split("#", 1)[0]
        for target in targets
        if not re.match(r"^[a-z]+:", target) and not target.startswith("#")
    ]


@pytest.mark.parametrize(
    "markdown", MARKDOWN_FILES, ids=lambda path: str(path.relative_to(ROOT))
)
def test_every_relative_link_in_the_docs_points_inside_the_repository(markdown):
    broken = []
    for target in _relative_links(markdown):
        resolved = (markdown.parent / target).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(target)

    assert broken == []


def test_the_design_the_api_contract_and_the_style_guide_are_in_docs():
    missing = [
        name for name in PRODUCT_DOCUMENTS if not (ROOT / "docs" / name).is_file()
    ]

    assert missing == []


def test_no_file_refers_to_documents_outside_the_repository():
    outside = []
    for path in ROOT.rglob("*"):
        if (
            not path.is_file()
            or path.suffix not in {".py", ".md", ".toml", ".html", ".txt", ".cfg"}
            or any(
                part.startswith(".") or part in {"var", "node_modules"}
                for part in path.relative_to(ROOT).parts
            )
            or path == Path(__file__)
        ):
            continue
        if "../shared/" in path.read_text(encoding="utf-8", errors="replace"):
            outside.append(str(path.relative_to(ROOT)))

    assert outside == []
