"""The website in a real browser, with no internet.

Debian's Chromium, driven by Playwright (which never downloads a browser of its own here), reads
every page of the built site served on localhost, with every request that leaves the machine
blocked and counted as a failure. Each page is loaded once, and checked at a phone's, a tablet's
and a desktop's width and at 1366 px, the width the site is read at:

- every page loads with no console error and no failed request, shows its equations typeset by
  the site's own MathJax (no raw TeX left), loads every image (each content image with alt text),
  and no page is wider than the screen; every internal link leads to a page or file that exists
  (and to an anchor that exists on it);
- it reads like a textbook: every figure has a numbered caption; no displayed equation is cut off
  (and on a phone a long one scrolls inside its box instead); code cells fit the text column (at
  most 5% may scroll sideways); "Chapter N" and "Section N.M" in the text are links; one search
  box, one title, a favicon; the Chinese glossary column is marked ``lang="zh-Hans"`` and drawn
  with the CJK font the site ships, which holds every character used. The exercise pages (made
  from solutions/ by ``python -m grading release``) are reported apart from the rest of the site.

Search must find the backpropagation chapter, a dropdown answer must open, the menus must work on
a phone, a tablet and a desktop, downloads must download, and the site must also work opened
from disk (file://, a USB stick).

Screenshots of the home page and a chapter at desktop and phone widths are written to
``_build/screenshots/`` for a person to look at (the README shows the copies in ``screenshots/``).

Chromium: ``make test`` installs Debian's ``chromium`` when it is missing and you are root;
otherwise ``sudo apt-get install chromium``. Set ``NNFS_SKIP_BROWSER=1`` to skip these tests on
purpose, ``NNFS_CHROMIUM=/path/to/chrome`` to use another Chromium-based browser, and
``NNFS_BOOK_HTML=_build/html`` to test a site you have already built instead of building it.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urldefrag

import pytest
import yaml
from PIL import Image

from conftest import Watch, offline_context, serve_directory

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_PAGES = {"home": "book/intro.html", "chapter": "book/01-neurons/neuron-model.html"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# The widths a reader uses: a phone, a tablet (below the theme's 992-px breakpoint, so its
# menus are drawers too) and a desktop. The screenshots are taken at VIEWPORTS.
DEVICES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 820, "height": 1180},
           "desktop": {"width": 1280, "height": 800}}
# The width the book is read at, where its figures, equations and code are measured.
READING = {"width": 1366, "height": 900}
CJK_FONT = ROOT / "_assets" / "fonts" / "NotoSansSC-glossary.woff"
CJK_FAMILY = "NNFS Noto Sans SC"
SEARCH_TERM, SEARCH_HIT = "backpropagation", "book/04-backpropagation/"
KIT, WHEEL_PREFIX = "nn-from-scratch.zip", "nnfs_nnlib-"
SAMPLE_REPOSITORY = "https://github.com/example-org/nn-from-scratch"

pytestmark = [
    pytest.mark.skipif(os.environ.get("NNFS_SKIP_BROWSER") == "1",
                       reason="NNFS_SKIP_BROWSER=1: the browser test was skipped on purpose"),
    pytest.mark.skipif(sys.platform == "win32", reason="the browser test uses Debian's Chromium"),
]

# Waits for MathJax to finish typesetting (when the page has math), then reports what a reader
# would see: math left untypeset or in error, raw TeX in the text, images, links and anchors.
INSPECT_JS = r"""
async () => {
  const maths = [...document.querySelectorAll('.math')];
  const report = {math: maths.length, mathjax: null};
  if (maths.length) {
    const started = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - started < 10000)
      await new Promise(resolve => setTimeout(resolve, 50));
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      await Promise.race([MathJax.startup.promise, new Promise(resolve => setTimeout(resolve, 20000))]);
      report.mathjax = MathJax.version;
    }
  }
  report.untypeset = maths.filter(m => !m.querySelector('mjx-container'))
                          .map(m => m.textContent.trim().slice(0, 80));
  report.mathErrors = [...document.querySelectorAll(
      'mjx-merror, mjx-assistive-mml merror, mjx-assistive-mml [mathcolor="red"]')]
      .map(e => e.textContent.trim().slice(0, 80));
  report.typeset = document.querySelectorAll('mjx-container').length;

  // Raw TeX in the text a reader sees (code is allowed to show TeX source).
  const rawTex = /\$\$|\\[a-zA-Z]+|\\[()\[\]]/;
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  report.rawTex = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    const match = node.textContent.match(rawTex);
    if (match) {
      const i = Math.max(0, match.index - 30);
      report.rawTex.push(node.textContent.slice(i, i + 80).replace(/\s+/g, ' '));
    }
  }

  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(resolve => {
    img.addEventListener('load', resolve); img.addEventListener('error', resolve);
    setTimeout(resolve, 10000);
  })));
  report.images = images.length;
  report.brokenImages = images.filter(img => !img.complete || img.naturalWidth === 0)
                              .map(img => img.currentSrc || img.src);
  report.noAlt = images.filter(img => img.closest('article') && !(img.getAttribute('alt') || '').trim())
                       .map(img => img.currentSrc || img.src);
  report.links = [...document.querySelectorAll('a[href]')].map(a => a.href);
  report.ids = [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(a => a.name));
  report.dropdowns = document.querySelectorAll('details.sd-dropdown').length;
  report.downloadMenu = [...document.querySelectorAll('.dropdown-download-buttons .dropdown-item')]
      .map(e => ({text: e.textContent.trim(), href: e.href || null}));
  report.serviceButtons = [...document.querySelectorAll(
      '.dropdown-launch-buttons, .dropdown-source-buttons, .btn-source-repository-button, ' +
      '.btn-source-issues-button, .btn-source-edit-button')].map(e => e.className);
  return report;
}
"""


# The JavaScript below begins with WAIT_FOR_MATHJAX: typeset equations can be wider than their source.
WAIT_FOR_MATHJAX = """
  if (document.querySelector('.math')) {
    const started = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - started < 10000)
      await new Promise(resolve => setTimeout(resolve, 50));
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  }
"""

# How wide the page is against the screen, and what sticks out.
WIDTH_JS = """async () => {
  WAIT_FOR_MATHJAX
  const scrollWidth = document.documentElement.scrollWidth, innerWidth = window.innerWidth;
  const wide = scrollWidth <= innerWidth ? [] : [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.children.length)
    .slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent || '').trim().slice(0, 40)}`);
  return {scrollWidth, innerWidth, wide};
}""".replace("WAIT_FOR_MATHJAX", WAIT_FOR_MATHJAX)


# For one page: what a reader at 1366 px (READING) sees of its figures, equations, code and
# cross-references.
MEASURE_JS = r"""
async () => {
  const article = document.querySelector('article') || document.body;
  WAIT_FOR_MATHJAX
  await document.fonts.ready;
  const r = {};
  // Figures: every image in a cell output or a figure needs a numbered caption.
  const images = [...article.querySelectorAll('.cell_output img, figure img')];
  r.images = images.length;
  r.uncaptioned = images.filter(img => {
    const fig = img.closest('figure');
    const caption = fig && fig.querySelector('figcaption');
    return !(caption && /^\s*Fig(ure|\.)\s*\d+(\.\d+)*/.test(caption.textContent));
  }).map(img => (img.alt || img.src).slice(0, 60));
  // Displayed equations: the typeset line must fit in the text column, or scroll inside a box
  // that shows it can (never be cut off silently).
  const displays = [...article.querySelectorAll('mjx-container[display="true"]')];
  r.equations = displays.length;
  r.clippedEquations = displays.filter(eq => {
    const box = eq.closest('div.math, .math') || eq.parentElement;
    const column = box.parentElement.getBoundingClientRect();
    const width = Math.max(eq.scrollWidth, ...[...eq.querySelectorAll('mjx-math')].map(m => m.getBoundingClientRect().width));
    return width > Math.min(box.clientWidth, column.width) + 1;
  }).map(eq => eq.textContent.slice(0, 60));
  // Code cells wider than the column (they would scroll sideways).
  const code = [...article.querySelectorAll('div.cell_input pre, div.highlight pre')];
  r.code = code.length;
  r.wideCode = code.filter(pre => pre.scrollWidth > pre.clientWidth + 1)
                   .map(pre => pre.textContent.split('\n').reduce((a, b) => a.length > b.length ? a : b).slice(0, 60));
  // "Chapter 4", "Section 5.1" in the prose that is not a link.
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  r.unlinked = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('a, pre, code, script, style, h1, h2, h3, .toctree-wrapper, mjx-container, .cell_output'))
      continue;
    for (const m of node.textContent.matchAll(/\b(Chapters?|Sections?)\s+\d+(\.\d+)?/g))
      r.unlinked.push(m[0]);
  }
  // One search box, one title in the sidebar, a favicon.
  r.searchBoxes = [...document.querySelectorAll('.search-button-field, .search-button')]
      .filter(e => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility !== 'hidden').length;
  const title = (document.querySelector('.navbar-brand') || {textContent: '?'}).textContent.trim();
  r.titles = 1 + [...document.querySelectorAll('.bd-sidebar-primary nav a')]
      .filter(e => e.textContent.trim() === title).length;
  r.favicon = !!document.querySelector('link[rel~="icon"]');
  // The Chinese glossary column.
  const zh = [...article.querySelectorAll('td, th')].filter(c => /[\u4e00-\u9fff]/.test(c.textContent));
  r.cjkCells = zh.length;
  r.cjkUnmarked = zh.filter(c => !c.closest('[lang="zh-Hans"]') && !c.querySelector('[lang="zh-Hans"]')).length;
  r.cjkFonts = [...new Set(zh.map(c => getComputedStyle(c.querySelector('[lang]') || c).fontFamily))];
  const text = zh.map(c => c.textContent).join('');
  r.cjkLoaded = zh.length ? (await document.fonts.load(`16px "${CJK_FAMILY}"`, text)).length : 0;
  r.cjkCheck = zh.length ? document.fonts.check(`16px "${CJK_FAMILY}"`, text) : true;
  return r;
}
""".replace("WAIT_FOR_MATHJAX", WAIT_FOR_MATHJAX).replace("${CJK_FAMILY}", CJK_FAMILY)


# On a phone a long equation may be wider than the screen, but then its box must scroll (and
# show that it does): nothing may be cut off silently.
PHONE_EQUATIONS_JS = r"""
async () => {
  WAIT_FOR_MATHJAX
  const displays = [...document.querySelectorAll('article mjx-container[display="true"]')];
  const wide = displays.filter(eq => eq.getBoundingClientRect().width > eq.parentElement.clientWidth + 1
                                     || eq.scrollWidth > eq.parentElement.clientWidth + 1);
  const hidden = wide.filter(eq => {
    for (let box = eq; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box).overflowX;
      if (style === 'auto' || style === 'scroll') return false;
      if (style === 'hidden' || style === 'clip') return true;
    }
    return true;
  });
  return {equations: displays.length, wide: wide.length,
          hidden: hidden.map(eq => eq.textContent.slice(0, 60))};
}
""".replace("WAIT_FOR_MATHJAX", WAIT_FOR_MATHJAX)


# --------------------------------------------------------------------------- fixtures
# site, server and browser (session fixtures) and Watch, offline_context, serve_directory come
# from conftest.py, so that other browser tests share one server and one Chromium.


# Resized, the theme slides its menus in or out (CSS transitions of up to 0.4 s): jump to their
# end, what a reader sees once they are over, rather than measuring the page half-way through.
END_TRANSITIONS_JS = "() => document.getAnimations().forEach(a => a instanceof CSSTransition && a.finish())"


def resize(page, viewport):
    page.set_viewport_size(viewport)
    page.evaluate(END_TRANSITIONS_JS)


def site_pages(site):
    """Every page of the built site (not its static files, sources or downloads), as a relative
    path, and the redirect pages (such as index.html) separately."""
    pages, redirects = [], []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.split("/")[0].startswith("_"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        (redirects if 'http-equiv="Refresh"' in text or 'http-equiv="refresh"' in text else pages).append(rel)
    return pages, redirects


@pytest.fixture(scope="module")
def crawl(site, server, browser):
    """Every page of the site loaded once with the internet cut off: {page: report}.

    Each page loads at a phone's width and is then widened to a tablet's and a desktop's,
    measuring at each how wide it is (``report["widths"]``); at the phone's width its displayed
    equations are measured too (``report["phone"]``). It is then inspected at desktop width, and
    measured as a reader sees it at 1366 px (``report["reading"]``).
    """
    pages, redirects = site_pages(site)
    assert pages, f"no pages found in {site}"
    watch = Watch()
    context = offline_context(browser, watch, viewport=DEVICES["phone"])
    page = context.new_page()
    reports = {}
    for rel in pages:
        page.goto("about:blank")  # narrowing the last page would lay it out again, for nothing
        page.set_viewport_size(DEVICES["phone"])
        response = page.goto(server + rel, wait_until="load")
        widths = {}
        for device, viewport in DEVICES.items():
            resize(page, viewport)
            widths[device] = page.evaluate(WIDTH_JS)
            if device == "phone":
                phone = page.evaluate(PHONE_EQUATIONS_JS)
        report = page.evaluate(INSPECT_JS)
        report["widths"], report["phone"] = widths, phone
        resize(page, READING)
        report["reading"] = page.evaluate(MEASURE_JS)
        report["status"] = response.status if response else None
        watch.settle(page)
        report["problems"] = watch.take()
        reports[rel] = report
    context.close()
    return {"pages": reports, "redirects": redirects}


def failures(crawl, key):
    return {page: report[key] for page, report in crawl["pages"].items() if report[key]}


def expect_none(problems, what):
    """Fail with one line per problem: ``problems`` is {page: [problem, ...]} or [problem, ...]."""
    if isinstance(problems, dict):
        problems = [f"{page}: {item}" for page, items in problems.items() for item in items]
    if problems:
        pytest.fail(f"{what} ({len(problems)}):\n  " + "\n  ".join(problems), pytrace=False)


# --------------------------------------------------------------------------- every page


def test_every_page_loads_with_no_console_error_and_no_failed_request(crawl):
    assert len(crawl["pages"]) >= 3, "the crawl found almost no pages"
    bad = {page: r["status"] for page, r in crawl["pages"].items() if r["status"] != 200}
    assert not bad, f"pages that did not load: {bad}"
    expect_none(failures(crawl, "problems"), "console errors and failed requests")


def test_every_equation_is_typeset_and_no_raw_tex_is_visible(crawl):
    pages = crawl["pages"]
    assert sum(r["math"] for r in pages.values()) > 0, "no page has any math: is the crawl right?"
    not_loaded = [page for page, r in pages.items() if r["math"] and not r["mathjax"]]
    assert not not_loaded, f"MathJax did not load on {not_loaded}"
    assert all(r["mathjax"].startswith("3.") for r in pages.values() if r["mathjax"])
    expect_none(failures(crawl, "untypeset"), "math left untypeset")
    expect_none(failures(crawl, "mathErrors"), "TeX errors")
    expect_none(failures(crawl, "rawTex"), "raw TeX visible")


def test_every_image_loads_and_has_alt_text(crawl):
    assert sum(r["images"] for r in crawl["pages"].values()) > 0, "no page has any image"
    expect_none(failures(crawl, "brokenImages"), "images that did not load")
    expect_none(failures(crawl, "noAlt"), "images with no alt text")


def test_every_internal_link_leads_somewhere(crawl, server, browser):
    pages = crawl["pages"]
    ids = {server + page: set(r["ids"]) for page, r in pages.items()}
    targets, broken = {}, []
    for page, report in pages.items():
        for link in report["links"]:
            if not link.startswith(server):
                continue  # links to other sites are for the reader to follow, not this test
            url, fragment = urldefrag(link)
            targets.setdefault(url, page)
            if fragment and url in ids and fragment not in ids[url]:
                broken.append(f"{page}: {link} (no such anchor)")
    for redirect in crawl["redirects"]:
        targets.setdefault(server + redirect, "(redirect page)")
    assert len(targets) > len(pages) // 2, "the crawl found almost no internal links"
    context = browser.new_context()
    for url, page in sorted(targets.items()):
        response = context.request.get(url)
        if response.status != 200:
            broken.append(f"{page}: {url} (HTTP {response.status})")
    context.close()
    expect_none(broken, "broken internal links")


def test_every_notebook_page_and_chapter_offers_its_downloads(crawl, site, server):
    """Each page made from a notebook links to that notebook (the download button), each
    chapter's index page links to its exercise notebook for download, and the home page and every
    chapter's index page link to the student kit."""
    missing = []
    for page, report in crawl["pages"].items():
        source = site / "_sources" / Path(page).with_suffix(".ipynb")
        if source.is_file():
            wanted = server + "_sources/" + Path(page).with_suffix(".ipynb").as_posix()
            if wanted not in report["links"]:
                missing.append(f"{page}: no download link to its notebook {wanted}")
    chapters = sorted(p.parent for p in (ROOT / "book").glob("[0-9][0-9]-*/index.md"))
    assert chapters, "no chapter index pages (book/NN-topic/index.md) found"
    for chapter in chapters:
        page = f"book/{chapter.name}/index.html"
        if page not in crawl["pages"]:
            continue  # not in the toc yet: test_book.py reports it
        exercises = [p.name for p in (ROOT / "exercises" / chapter.name).glob("*.ipynb")]
        links = [link for link in crawl["pages"][page]["links"]
                 if "/_downloads/" in link and link.rsplit("/", 1)[-1] in exercises]
        if not links:
            missing.append(f"{page}: no download link to its exercise {exercises}")
    for page in ["book/intro.html"] + [f"book/{c.name}/index.html" for c in chapters]:
        links = crawl["pages"].get(page, {"links": []})["links"]
        if not any("/_downloads/" in link and link.endswith("/" + KIT) for link in links):
            missing.append(f"{page}: no download link to the student kit {KIT}")
    home = crawl["pages"]["book/intro.html"]["links"]
    if not any("/_downloads/" in link and link.rsplit("/", 1)[-1].startswith(WHEEL_PREFIX) for link in home):
        missing.append(f"book/intro.html: no download link to nnlib's wheel {WHEEL_PREFIX}*.whl")
    expect_none(missing, "missing downloads")


def test_every_download_menu_offers_what_it_says(crawl, site, server):
    """The page's download menu: '.ipynb' is the page's own notebook (on pages made from one),
    '.pdf (print)' prints; nothing else (no raw MyST '.md', no second copy of the notebook)."""
    wrong = []
    for page, report in crawl["pages"].items():
        items = report["downloadMenu"]
        texts = [item["text"] for item in items]
        notebook = site / "_sources" / Path(page).with_suffix(".ipynb")
        has_source = any((site / "_sources" / Path(page).parent).glob(Path(page).stem + ".*"))
        wanted = ([".ipynb"] if notebook.is_file() else []) + ([".pdf (print)"] if has_source else [])
        if texts != wanted:
            wrong.append(f"{page}: the download menu offers {texts}, not {wanted}")
        for item in items:
            if item["text"] == ".ipynb" and item["href"] != server + "_sources/" + Path(page).with_suffix(".ipynb").as_posix():
                wrong.append(f"{page}: '.ipynb' leads to {item['href']}, not to this page's notebook")
    expect_none(wrong, "download menus that offer the wrong thing")


def test_no_launch_or_repository_button_without_a_repository(crawl):
    """_config.yml names no repository: no Binder, Colab, repository or issue button can work."""
    expect_none(failures(crawl, "serviceButtons"), "buttons that lead nowhere")


# --------------------------------------------------------------------------- reading it like a textbook


@pytest.fixture(scope="module")
def measured(crawl):
    """Every page as a reader sees it at 1366 px (measured by the crawl): {page: report}."""
    return {page: r["reading"] for page, r in crawl["pages"].items()}


@pytest.fixture(scope="module")
def phone_equations(crawl):
    """The book's pages with math at a phone's width, 390 px (measured by the crawl): {page: report}."""
    return {page: r["phone"] for page, r in crawl["pages"].items() if page.startswith("book/0")}


def listing(reports, key):
    return [f"{page}: {item}" for page, r in reports.items() for item in r[key]]


def test_every_figure_has_a_numbered_caption(measured):
    assert sum(r["images"] for r in measured.values()) >= 40, "the crawl found almost no figures"
    bad = listing(measured, "uncaptioned")
    assert not bad, f"figures without a numbered caption ({len(bad)}):\n  " + "\n  ".join(bad)


# The exercise pages are made from solutions/ (`python -m grading release`): they are reported
# apart from the book, the API reference and the index, so that a failure says which to fix.
PARTS = [pytest.param("book", id="book"), pytest.param("exercises", id="exercises")]


def part(reports, name):
    """The reports of the exercise pages, or of every other page (the book, the API, the index)."""
    return {page: r for page, r in reports.items()
            if page.startswith("exercises/") == (name == "exercises")}


@pytest.mark.parametrize("name", PARTS)
def test_no_displayed_equation_is_cut_off_at_1366px(measured, name):
    reports = part(measured, name)
    assert sum(r["equations"] for r in reports.values()) > 10
    bad = listing(reports, "clippedEquations")
    assert not bad, f"equations wider than the column ({len(bad)}):\n  " + "\n  ".join(bad)


def test_long_equations_scroll_on_a_phone(phone_equations):
    assert sum(r["equations"] for r in phone_equations.values()) > 50
    assert sum(r["wide"] for r in phone_equations.values()) > 0, "no equation is wider than a phone?"
    bad = listing(phone_equations, "hidden")
    assert not bad, f"equations cut off on a phone ({len(bad)}):\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("name", PARTS)
def test_code_cells_fit_the_column(measured, name):
    reports = part(measured, name)
    total = sum(r["code"] for r in reports.values())
    wide = listing(reports, "wideCode")
    assert total > 50
    assert len(wide) <= 0.05 * total, (f"{len(wide)} of {total} code blocks are wider than the "
                                        "column (at most 5% may be):\n  " + "\n  ".join(wide))


@pytest.mark.parametrize("name", PARTS)
def test_chapter_and_section_mentions_are_links(measured, name):
    plain = listing(part(measured, name), "unlinked")
    # The issue allows 10 plain mentions on the whole site; the book keeps its share at 0.
    limit = 0 if name == "book" else 10
    assert len(plain) <= limit, (f"{len(plain)} mentions of a chapter or section are not links "
                                 f"(at most {limit} may be):\n  " + "\n  ".join(plain))


def test_one_search_box_one_title_and_a_favicon(measured):
    bad = [f"{page}: {r['searchBoxes']} search boxes, title {r['titles']} times, favicon {r['favicon']}"
           for page, r in measured.items()
           if r["searchBoxes"] != 1 or r["titles"] > 1 or not r["favicon"]]
    assert not bad, "\n".join(bad)


def test_the_chinese_glossary_is_marked_and_drawn_with_the_shipped_font(measured):
    pages = {p: r for p, r in measured.items() if r["cjkCells"]}
    assert len(pages) >= 5, "the glossaries were not found"
    for page, r in pages.items():
        assert r["cjkUnmarked"] == 0, f"{page}: {r['cjkUnmarked']} Chinese cells without lang=zh-Hans"
        assert all(CJK_FAMILY in f for f in r["cjkFonts"]), f"{page}: font {r['cjkFonts']}"
        assert r["cjkLoaded"] >= 1 and r["cjkCheck"], f"{page}: the CJK font did not load"


def test_the_cjk_font_holds_every_character_the_book_uses():
    from fontTools.ttLib import TTFont

    used = set()
    for path in list((ROOT / "book").rglob("*.ipynb")) + list((ROOT / "book").rglob("*.md")):
        used |= set(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", path.read_text("utf-8")))
    cmap = TTFont(CJK_FONT).getBestCmap()
    missing = sorted(c for c in used if ord(c) not in cmap)
    assert used and not missing, f"characters missing from {CJK_FONT.name}: {''.join(missing)}"


# --------------------------------------------------------------------------- interactions


def test_search_finds_the_backpropagation_chapter(server, browser):
    watch = Watch()
    context = offline_context(browser, watch, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.goto(server + "book/intro.html")
    page.locator("button.search-button-field").first.click()
    field = page.locator('input[name="q"]:visible').first
    field.fill(SEARCH_TERM)
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    page.locator("#search-results .search-summary").filter(has_text="found").wait_for()
    results = page.locator("#search-results ul.search li a")
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    hits = [h for h in hrefs if SEARCH_HIT in h]
    assert hits, f"searching for {SEARCH_TERM!r} found no page in {SEARCH_HIT}: it found {hrefs}"
    # The result is a link a reader can follow to the chapter.
    page.locator(f'#search-results ul.search li a[href="{hits[0]}"]').first.click()
    page.wait_for_url(f"**/{SEARCH_HIT}**")
    page.wait_for_load_state("networkidle")
    context.close()
    expect_none(watch.problems, "console errors and failed requests")


def test_a_dropdown_answer_opens(crawl, server, browser):
    with_dropdowns = [page for page, r in crawl["pages"].items() if r["dropdowns"]]
    assert with_dropdowns, "no page has a dropdown answer"
    watch = Watch()
    context = offline_context(browser, watch, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.goto(server + with_dropdowns[0])
    closed = page.locator("details.sd-dropdown").evaluate_all(
        "all => all.findIndex(d => !d.open)")
    assert closed >= 0, f"every dropdown on {with_dropdowns[0]} is already open"
    dropdown = page.locator("details.sd-dropdown").nth(closed)
    answer = dropdown.locator(".sd-summary-content")
    assert not answer.is_visible(), "the answer is visible before the dropdown is opened"
    dropdown.locator("summary").click()
    answer.wait_for(state="visible")
    assert dropdown.get_attribute("open") is not None
    context.close()
    expect_none(watch.problems, "console errors and failed requests")


def test_the_site_works_opened_from_disk(site, browser):
    """A reader can open index.html from a USB stick: file:// URLs, no server, no internet."""
    watch = Watch()
    context = offline_context(browser, watch, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    page.wait_for_url("**/book/intro.html")
    page.wait_for_load_state("load")
    report = page.evaluate(INSPECT_JS)
    expect_none(report["brokenImages"] + report["rawTex"], "the home page opened from disk is broken")
    page.goto((site / SCREENSHOT_PAGES["chapter"]).as_uri())
    report = page.evaluate(INSPECT_JS)
    assert report["math"] and report["mathjax"], "MathJax did not load from disk"
    assert report["images"] and report["typeset"] == report["math"]
    expect_none(report["untypeset"] + report["rawTex"] + report["brokenImages"],
                "the chapter opened from disk is broken")
    page.wait_for_load_state("networkidle")
    page.goto((site / "search.html").as_uri() + "?q=" + SEARCH_TERM)
    page.locator("#search-results .search-summary").filter(has_text="found").wait_for()
    assert page.locator(f'#search-results ul.search li a[href*="{SEARCH_HIT}"]').count(), \
        f"search from disk found no page in {SEARCH_HIT}"
    page.wait_for_load_state("networkidle")
    context.close()
    expect_none(watch.problems, "console errors and failed requests")


# --------------------------------------------------------------------------- phone, tablet, desktop

MENU_PAGE = "book/01-neurons/neuron-model.html"


def device_context(browser, watch, device, **options):
    """An offline context the size of a phone, a tablet or a desktop (touch on phone and tablet)."""
    touch = device != "desktop"
    return offline_context(browser, watch, viewport=DEVICES[device], device_scale_factor=1,
                           is_mobile=touch, has_touch=touch, **options)


def chapters():
    return sorted(p.parent.name for p in (ROOT / "book").glob("[0-9][0-9]-*/index.md"))


@pytest.mark.parametrize("device", DEVICES)
def test_the_menus_show_the_chapters_and_the_page_sections(server, browser, device):
    """Tap the menu: the chapters show; tap the page contents: the page's sections show. On a
    desktop both are shown beside the page without a tap."""
    watch = Watch()
    context = device_context(browser, watch, device)
    page = context.new_page()
    page.goto(server + MENU_PAGE)
    page.wait_for_load_state("networkidle")
    chapter_links = [f"{server}book/{name}/index.html" for name in chapters()]
    section_ids = page.locator("article section[id] > h2").evaluate_all(
        "hs => hs.map(h => h.parentElement.id)")
    assert section_ids, f"{MENU_PAGE} has no sections to list"
    section_links = [f"{server}{MENU_PAGE}#{i}" for i in section_ids]

    def shown(wanted):
        """Those of the links ``wanted`` that a reader can see (and tap) now."""
        visible = set(page.locator("a[href]").evaluate_all(
            "links => links.filter(a => a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})"
            " && a.getBoundingClientRect().width > 0).map(a => a.href)"))
        return [link for link in wanted if link in visible]

    if device == "desktop":
        assert shown(chapter_links) == chapter_links, "the chapters are not beside the page"
        assert shown(section_links) == section_links, "the page's sections are not beside the page"
    else:
        assert not shown(chapter_links[1:]), "the chapter menu is open before it was tapped"
        toggle = page.locator("button.primary-toggle").locator("visible=true")
        assert toggle.count() == 1, f"{toggle.count()} visible menu buttons"
        toggle.tap()
        page.wait_for_timeout(400)
        missing = sorted(set(chapter_links) - set(shown(chapter_links)))
        assert not missing, f"tapping the menu did not show the chapters: {missing}"
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        assert not shown(chapter_links[1:]), "Escape did not close the chapter menu"
        toggle = page.locator("button.secondary-toggle").locator("visible=true")
        assert toggle.count() == 1, f"{toggle.count()} visible page-contents buttons"
        toggle.tap()
        page.wait_for_timeout(400)
        missing = sorted(set(section_links) - set(shown(section_links)))
        assert not missing, f"tapping the page contents did not show the sections: {missing}"
        # Following a section link lands on it.
        last = section_ids[-1]
        page.locator(f'a[href="#{last}"]').locator("visible=true").first.tap()
        page.wait_for_url(f"**#{last}")
    context.close()
    expect_none(watch.problems, "console errors and failed requests")


def test_no_page_is_wider_than_the_screen(crawl):
    """No page pans sideways: on a phone (390 px), a tablet (820 px) and a desktop (1280 px),
    its scrollWidth is within the viewport, on every page (measured by the crawl)."""
    wide = []
    for rel, report in crawl["pages"].items():
        for device, size in report["widths"].items():
            if size["scrollWidth"] > size["innerWidth"]:
                wide.append(f"{rel} on a {device}: {size['scrollWidth']} px wide on a {size['innerWidth']}-px "
                            f"screen; sticking out: {size['wide']}")
    assert len(crawl["pages"]) >= 3
    expect_none(wide, "pages wider than the screen")


@pytest.fixture(scope="module")
def downloads(site):
    """What each download link must give: [(page, selector, menu to open first, file name, bytes)],
    the links of one page one after the other."""
    cases = []
    kit = next(site.glob(f"_downloads/*/{KIT}")).read_bytes()
    wheel = next(site.glob(f"_downloads/*/{WHEEL_PREFIX}*.whl"))
    cases.append(("book/intro.html", f'article a.download[href$="/{KIT}"]', None, KIT, kit))
    cases.append(("book/intro.html", 'article a.download[href$=".whl"]', None, wheel.name, wheel.read_bytes()))
    for number, name in enumerate(chapters()):
        exercise = next((ROOT / "exercises" / name).glob("*.ipynb"))
        cases.append((f"book/{name}/index.html", f'article a.download[href$="/{exercise.name}"]', None,
                      exercise.name, exercise.read_bytes()))
        if number == 0:   # every chapter's kit link is the same file (test_every_notebook_page...): once
            cases.append((f"book/{name}/index.html", f'article a.download[href$="/{KIT}"]', None, KIT, kit))
    notebook = ROOT / Path(MENU_PAGE).with_suffix(".ipynb")
    cases.append((MENU_PAGE, "a.btn-download-notebook-button", ".dropdown-download-buttons button.dropdown-toggle",
                  notebook.name, notebook.read_bytes()))
    cases.append((MENU_PAGE, "a.btn-download-kit-button", None, KIT, kit))
    return cases


@pytest.mark.parametrize("where", ["http", "file"])
def test_downloads_download_on_a_phone(site, server, browser, downloads, where):
    """Each exercise, the kit, the wheel and a page's notebook download as files (with the right
    name and bytes) when tapped on a phone, from a web server and opened from disk (file://),
    where a browser would otherwise show a notebook's JSON."""
    base = server if where == "http" else site.as_uri() + "/"
    watch = Watch()
    context = device_context(browser, watch, "phone", accept_downloads=True)
    page = context.new_page()
    wrong = []
    for rel, selector, menu, name, data in downloads:
        if page.url.split("#")[0] != base + rel:      # a download leaves the page as it is
            page.goto(base + rel)
        if menu:
            page.locator(menu).first.tap()
        link = page.locator(selector).first
        try:
            with page.expect_download(timeout=10_000) as info:
                link.tap()
            download = info.value
        except Exception as error:  # noqa: BLE001 (reported below)
            wrong.append(f"{rel}: {selector} gave no download (the tab shows {page.url}): {error}".splitlines()[0])
            continue
        got = Path(download.path()).read_bytes()
        if download.suggested_filename != name or got != data:
            wrong.append(f"{rel}: {selector} downloaded {download.suggested_filename} ({len(got)} bytes), "
                         f"not {name} ({len(data)} bytes)")
        if page.url.split("#")[0] != base + rel:
            wrong.append(f"{rel}: {selector} also left the page for {page.url}")
    context.close()
    expect_none(wrong, f"downloads that do not download over {where}")
    # From disk, Chromium opens a zip or wheel link as a page load that turns into a download,
    # and reports that load as aborted: that is the download, not a failure.
    expect_none([p for p in watch.problems if not (p.startswith("failed request: file:") and
                                                  p.endswith("(net::ERR_ABORTED)"))],
                "console errors and failed requests")


@pytest.fixture(scope="module")
def site_with_repository(tmp_path_factory):
    """The home page, chapter 1's first two pages and its exercise, built with a public GitHub
    repository named in a copy of _config.yml (the way an instructor publishes the course)."""
    work = tmp_path_factory.mktemp("repository")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"] = {"url": SAMPLE_REPOSITORY, "branch": "main"}
    config["sphinx"]["local_extensions"] = {name: str(ROOT / folder)
                                            for name, folder in config["sphinx"]["local_extensions"].items()}
    (work / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    toc = {"format": "jb-book", "root": "book/intro", "parts": [{"caption": "Chapters", "chapters": [
        {"file": "book/01-neurons/index", "sections": [{"file": "book/01-neurons/neuron-model"},
                                                       {"file": "exercises/01-neurons/neurons"}]}]}]}
    (work / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    # No -W: with three chapters left out of the toc, links to them warn.
    done = subprocess.run([str(jb), "build", str(ROOT), "--config", str(work / "_config.yml"),
                           "--toc", str(work / "_toc.yml"), "--path-output", str(work), "--keep-going"],
                          capture_output=True, text=True, timeout=600)
    html = work / "_build" / "html"
    assert (html / "book" / "intro.html").is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    return html


@pytest.mark.parametrize("rel", ["book/01-neurons/neuron-model.html", "exercises/01-neurons/neurons.html"])
def test_a_public_repository_brings_launch_and_repository_buttons(site_with_repository, browser, rel):
    """With a repository in _config.yml every notebook page offers Binder and Colab (opening
    that notebook of that repository) and the repository and issue buttons."""
    notebook = Path(rel).with_suffix(".ipynb").as_posix()
    repo = SAMPLE_REPOSITORY.removeprefix("https://github.com/")
    wanted = {
        ".dropdown-launch-buttons": [f"https://mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/{notebook}",
                                     f"https://colab.research.google.com/github/{repo}/blob/main/{notebook}"],
        ".dropdown-source-buttons": [SAMPLE_REPOSITORY, f"{SAMPLE_REPOSITORY}/issues/new?title="],
    }
    watch = Watch()
    with serve_directory(site_with_repository) as base:
        context = device_context(browser, watch, "phone")
        page = context.new_page()
        page.goto(base + rel)
        for menu, urls in wanted.items():
            page.locator(f"{menu} button.dropdown-toggle").tap()
            links = page.locator(f"{menu} a.dropdown-item").locator("visible=true")
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            for url in urls:
                assert any(h == url or (url.endswith("=") and h.startswith(url)) for h in hrefs), \
                    f"{rel}: {menu} offers {hrefs}, not {url}"
            page.keyboard.press("Escape")
        context.close()
    expect_none([p for p in watch.problems if "blocked" not in p], "console errors and failed requests")


def test_screenshots_of_the_home_page_and_a_chapter(server, browser):
    """Written to _build/screenshots/ for a person to look at; copy them to screenshots/ (which
    the README shows) when the site's look changes."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    for width, viewport in VIEWPORTS.items():
        phone = width == "phone"
        context = offline_context(browser, watch, viewport=viewport, device_scale_factor=1,
                                  is_mobile=phone, has_touch=phone)
        page = context.new_page()
        for name, rel in SCREENSHOT_PAGES.items():
            page.goto(server + rel)
            page.evaluate(INSPECT_JS)  # waits for MathJax and the images
            if name == "chapter":  # show its first displayed equation, and what follows it
                page.evaluate("""() => { const eq = document.querySelector('article div.math');
                    if (eq) window.scrollTo(0, eq.getBoundingClientRect().top + window.scrollY - 260); }""")
            watch.settle(page)
            path = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), animations="disabled", caret="hide")
            # 256 colours, no dithering: a third of the size, text as sharp, and the same bytes
            # every run while the page does not change (so copies change only when the site does).
            image = Image.open(path).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
            image.save(path, optimize=True)
            assert path.stat().st_size > 10_000, f"{path} looks empty"
        context.close()
    expect_none(watch.problems, "console errors and failed requests")
