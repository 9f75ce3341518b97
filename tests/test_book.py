"""The website: every page is in the table of contents, and the book builds with no warning."""

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files():
    """Every file named in _toc.yml, as a path relative to the repository without its suffix."""
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root"):
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    return set(walk(yaml.safe_load((ROOT / "_toc.yml").read_text())))


def test_every_book_page_and_exercise_is_in_the_toc():
    listed = toc_files()
    pages = [p for p in (ROOT / "book").rglob("*") if p.suffix in (".md", ".ipynb")
             and ".ipynb_checkpoints" not in p.parts]
    pages += list((ROOT / "exercises").glob("*/*.ipynb"))
    missing = [str(p.relative_to(ROOT)) for p in pages
               if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert not missing, f"add these pages to _toc.yml: {missing}"
    assert all((ROOT / f).with_suffix(".md").exists() or (ROOT / f).with_suffix(".ipynb").exists()
               for f in listed), "_toc.yml names a file that does not exist"


def test_every_chapter_lists_its_exercise():
    listed = toc_files()
    for solution in (ROOT / "solutions").glob("*/*.ipynb"):
        exercise = f"exercises/{solution.parent.name}/{solution.stem}"
        assert exercise in listed, f"{exercise} is not in _toc.yml: the book must show every exercise"


@pytest.mark.skipif(sys.platform == "win32", reason="jupyter-book's CLI is tested on POSIX")
def test_book_builds_without_warnings(built_book):
    result, html = built_book  # one build for the session, shared with test_browser.py
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (html / "book" / "intro.html").exists()
    for page in toc_files():
        assert (html / page).with_suffix(".html").exists(), f"{page}.html was not built"
