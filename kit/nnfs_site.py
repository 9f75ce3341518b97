"""A small Sphinx extension for the course website (listed in _config.yml).

- **The student kit.** Every build writes the kit zip and nnlib's wheel (``kit/build_kit.py``)
  into ``_kit/`` (git-ignored), which the pages link with ``{download}``, so the site serves
  them from ``_downloads/``. A header button on every page downloads the kit.
- **Launch buttons only when they can work.** When ``_config.yml`` names a repository
  (``repository: url:``), the repository and issue buttons are turned on, and for a public GitHub
  repository Binder and Colab launch buttons too (``launch_buttons`` in _config.yml may add
  others, such as a JupyterHub). With no repository, all of these are off: no dead buttons.
- **Downloads that download and say what they are.** A page's download menu offers the page's
  notebook (``.ipynb``, for pages made from notebooks) and ``.pdf (print)``; the raw MyST source of
  a Markdown page (``.md``) is not offered: it is not something a reader can use. ``nnfs.js``
  makes the notebook and kit links download (also from disk, ``file://``, where Chromium shows
  a notebook's JSON instead): for that, each notebook the site serves gets a twin
  ``NAME.ipynb.js`` that hands its text to the page, which saves it as a file.
- ``nnfs-phone.css``: nothing wider than a phone's screen (long code words wrap, wide tables and
  equations scroll inside themselves).
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_kit import KIT_NAME, build_kit, wheel_name  # noqa: E402

KIT_DIR = "_kit"                      # under the book's source folder; git-ignored
KIT_ZIP = f"{KIT_DIR}/{KIT_NAME}.zip"
BINDER, COLAB = "https://mybinder.org", "https://colab.research.google.com"


def configure_buttons(app, config):
    """Repository, issue and launch buttons on when a repository is named, off otherwise."""
    options = config.html_theme_options
    url = (options.get("repository_url") or "").strip().rstrip("/")
    launch = dict(options.get("launch_buttons") or {})
    if url:
        # (Jupyter Book fills in its defaults, empty URLs and False, so "not set" means empty.)
        options["repository_url"] = url
        options["use_repository_button"] = options["use_issues_button"] = True
        if url.startswith(("https://github.com/", "https://gitlab.com/")) and not launch.get("binderhub_url"):
            launch["binderhub_url"] = BINDER
        if url.startswith("https://github.com/") and not launch.get("colab_url"):
            launch["colab_url"] = COLAB
    else:
        for button in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            options[button] = False
        for service in ("binderhub_url", "jupyterhub_url", "colab_url", "jupyterlite_url"):
            launch[service] = ""
        launch["thebe"] = False
    options["launch_buttons"] = launch
    config.html_static_path.append(str(HERE / "static"))


def make_kit(app):
    build_kit(Path(app.srcdir) / KIT_DIR)


def adjust_header_buttons(app, pagename, templatename, context, doctree):
    """Drop the raw-source download (.md, or a second .ipynb), add the kit button."""
    buttons = context.get("header_buttons", [])
    for group in buttons:
        if group.get("label") != "download-buttons":
            continue
        kept = []
        for button in group["buttons"]:
            if button.get("label") == "download-source-button":
                if button.get("text") != ".ipynb" or context.get("ipynb_source"):
                    continue   # raw MyST (.md), or the same notebook a second time
                button = dict(button, label="download-notebook-button", tooltip="Download notebook file")
            if button.get("label") == "download-pdf-button":
                button = dict(button, text=".pdf (print)")   # it opens the print dialog
            kept.append(button)
        group["buttons"] = kept
    kit = app.env.dlfiles.get(KIT_ZIP)
    if kit:
        buttons.insert(0, {
            "type": "link", "url": context["pathto"](f"_downloads/{kit[1]}", 1),
            "icon": "fa-solid fa-file-zipper", "label": "download-kit-button",
            "tooltip": "Download the course kit: exercises, notebooks, nnlib and nnfs-check (.zip)",
            "classes": "pst-navbar-icon"})


def add_notebook_twins(app, exception):
    """Next to every notebook the site serves, NAME.ipynb.js: the notebook's text for nnfs.js,
    which saves it as a file when the site is opened from disk."""
    if exception or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for folder in ("_sources", "_downloads"):
        for path in (out / folder).rglob("*.ipynb"):
            text = json.dumps(path.read_text(encoding="utf-8"))
            Path(f"{path}.js").write_text(f"window.nnfsSave && nnfsSave({text});\n", encoding="utf-8")


def setup(app):
    app.connect("config-inited", configure_buttons)
    app.connect("builder-inited", make_kit)
    app.connect("html-page-context", adjust_header_buttons, priority=502)   # after the theme's 501
    app.connect("build-finished", add_notebook_twins)
    app.add_css_file("nnfs-phone.css")
    app.add_js_file("nnfs.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}


__all__ = ["setup", "wheel_name"]
