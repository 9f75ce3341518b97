"""The website in a real browser, with no internet.

Debian's Chromium, driven by Playwright (which never downloads a browser of its own here), reads
every page of the built site served on localhost, with every request that leaves the machine
blocked and counted as a failure. Every page must load with no console error and no failed
request, show its equations typeset by the site's own MathJax (no raw TeX left), load every image
(each content image with alt text), and every internal link must lead to a page or file that
exists (and to an anchor that exists on it). Search must find the backpropagation chapter, a
dropdown answer must open, and the site must also work opened from disk (file://, a USB stick).

Screenshots of the home page and a chapter at desktop and phone widths are saved in
``screenshots/`` for a person to look at.

Chromium: ``make test`` installs Debian's ``chromium`` when it is missing and you are root;
otherwise ``sudo apt-get install chromium``. Set ``NNFS_SKIP_BROWSER=1`` to skip these tests on
purpose, ``NNFS_CHROMIUM=/path/to/chrome`` to use another Chromium-based browser, and
``NNFS_BOOK_HTML=_build/html`` to test a site you have already built instead of building it.
"""

import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "screenshots"
SCREENSHOT_PAGES = {"home": "book/intro.html", "chapter": "book/01-neurons/neuron-model.html"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SEARCH_TERM, SEARCH_HIT = "backpropagation", "book/04-backpropagation/"
TIMEOUT_MS = 20_000

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
  return report;
}
"""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site(request):
    """The built website's html folder: NNFS_BOOK_HTML, or the session's shared build."""
    if os.environ.get("NNFS_BOOK_HTML"):
        html = Path(os.environ["NNFS_BOOK_HTML"]).resolve()
    else:
        _, html = request.getfixturevalue("built_book")
    assert (html / "index.html").is_file(), f"the website was not built: no {html / 'index.html'}"
    return html


@pytest.fixture(scope="module")
def server(site):
    """A static web server for the site on localhost; yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), driven by Playwright."""
    executable = (os.environ.get("NNFS_CHROMIUM") or shutil.which("chromium")
                  or shutil.which("chromium-browser"))
    if not executable:
        pytest.fail("the browser test needs Chromium and none was found: install Debian's with "
                    "'sudo apt-get install chromium' ('make test' does it when run as root), point "
                    "NNFS_CHROMIUM at a Chromium-based browser, or set NNFS_SKIP_BROWSER=1 to skip "
                    "this test on purpose", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        chromium.close()


class Watch:
    """Everything that went wrong on a page: console errors, uncaught exceptions, failed requests,
    HTTP errors, and requests that tried to leave the machine (they are blocked)."""

    def __init__(self):
        self.problems = []

    def attach(self, page):
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed request: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        return page

    def take(self):
        problems, self.problems = self.problems, []
        return problems


def offline_context(browser, watch, **options):
    """A browser context with the internet cut off: only localhost and file:// are reachable; any
    other request is aborted and recorded as a problem."""
    context = browser.new_context(service_workers="block", **options)
    context.set_default_timeout(TIMEOUT_MS)

    def route(route):
        url = route.request.url
        local = urlsplit(url).hostname in ("127.0.0.1", "localhost")
        if local or url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            watch.problems.append(f"request to the internet (blocked): {url}")
            route.abort("internetdisconnected")

    context.route("**/*", route)
    return context


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
    """Every page of the site loaded once with the internet cut off: {page: report}."""
    pages, redirects = site_pages(site)
    assert pages, f"no pages found in {site}"
    watch = Watch()
    context = offline_context(browser, watch, viewport=VIEWPORTS["desktop"])
    page = watch.attach(context.new_page())
    reports = {}
    for rel in pages:
        response = page.goto(server + rel, wait_until="load")
        report = page.evaluate(INSPECT_JS)
        report["status"] = response.status if response else None
        page.wait_for_load_state("networkidle")
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
    """Each page made from a notebook links to that notebook (the download button), and each
    chapter's index page links to its exercise notebook for download."""
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
    expect_none(missing, "missing downloads")


# --------------------------------------------------------------------------- interactions


def test_search_finds_the_backpropagation_chapter(server, browser):
    watch = Watch()
    context = offline_context(browser, watch, viewport=VIEWPORTS["desktop"])
    page = watch.attach(context.new_page())
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
    page = watch.attach(context.new_page())
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
    page = watch.attach(context.new_page())
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


def test_screenshots_of_the_home_page_and_a_chapter(server, browser):
    """Saved in screenshots/ (named in the README) for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    watch = Watch()
    for width, viewport in VIEWPORTS.items():
        phone = width == "phone"
        context = offline_context(browser, watch, viewport=viewport, device_scale_factor=1,
                                  is_mobile=phone, has_touch=phone)
        page = watch.attach(context.new_page())
        for name, rel in SCREENSHOT_PAGES.items():
            page.goto(server + rel)
            page.evaluate(INSPECT_JS)  # waits for MathJax and the images
            if name == "chapter":  # show its first displayed equation, and what follows it
                page.evaluate("""() => { const eq = document.querySelector('article div.math');
                    if (eq) window.scrollTo(0, eq.getBoundingClientRect().top + window.scrollY - 260); }""")
            page.wait_for_load_state("networkidle")
            path = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), animations="disabled", caret="hide")
            # 256 colours, no dithering: a third of the size, text as sharp, and the same bytes
            # every run while the page does not change (so the committed files stay put).
            image = Image.open(path).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
            image.save(path, optimize=True)
            assert path.stat().st_size > 10_000, f"{path} looks empty"
        context.close()
    expect_none(watch.problems, "console errors and failed requests")
