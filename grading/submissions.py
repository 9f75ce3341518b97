"""Finding each student's notebook in a folder of submissions, and checking it before any code runs.

Layouts accepted (one entry per student)::

    submissions/alice/neurons.ipynb                 a folder per student (any depth inside)
    submissions/bob.ipynb                           or one notebook per student

Pre-checks turn the usual accidents into one clear message per student instead of a crash:
a file that is not a notebook, a wrong file name, a duplicated or unknown nbgrader cell.
Cells the student deleted are put back from the released notebook (a deleted answer scores 0;
a deleted test still runs).
"""

import copy
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grading.cells import grade_id

MAX_BYTES = 20 * 1024 * 1024
MAX_ID = 64                            # longest student id; longer names are cut and given a hash
SCHEMA_VERSION = 3
_IGNORED = re.compile(r"^(\.|__MACOSX$)")
_VARIANT = re.compile(r"(\s*\(\d+\)|[-_ ]?copy\d*|[-_ ]\d+)$", re.IGNORECASE)


@dataclass
class Submission:
    """One student's entry: where the notebook is, and why it cannot be graded (if so)."""

    student: str
    path: Path | None = None
    problem: str | None = None
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)
    nonce: str = ""             # the tripwires' nonce for this student's run (grading/tripwires.py)


def _student_id(name):
    """A safe student id: letters, digits, '.', '_', '-' and '@' (other characters become '_'), at most
    ``MAX_ID`` characters (a longer one keeps its start and gets a short hash of the whole name)."""
    safe = re.sub(r"[^A-Za-z0-9._@-]", "_", name).strip("._-") or "student"
    if len(safe) > MAX_ID:
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        safe = f"{safe[:MAX_ID - 9]}-{digest}"
    return safe


def _kind(path):
    """What ``path`` is, without following a symlink: 'file', 'folder', 'symlink' or 'special file'."""
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return "symlink"
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "special file"


def _notebooks_in(folder):
    """Every entry named *.ipynb under ``folder`` (files or not), never entering symlinked folders."""
    found = []
    for parent, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints" and not _IGNORED.match(d))
        found += [Path(parent) / name for name in sorted(files + dirs) if name.endswith(".ipynb")]
    return found


def _normalise(filename):
    """``Neurons (1).ipynb`` and ``neurons-Copy1.ipynb`` both become ``neurons``."""
    return _VARIANT.sub("", Path(filename).stem.strip()).lower()


def _pick_notebook(folder, expected):
    """Return (path, note) for the notebook to grade in ``folder``, or raise ValueError with advice."""
    notebooks = _notebooks_in(folder)
    exact = [p for p in notebooks if p.name == expected]
    close = [p for p in notebooks if _normalise(p.name) == _normalise(expected)]
    if len(exact) > 1 or (not exact and len(close) > 1):
        names = ", ".join(str(p.relative_to(folder)) for p in (exact or close))
        raise ValueError(f"several notebooks could be {expected} ({names}): keep only one")
    if exact or close:
        path = (exact or close)[0]
        if _kind(path) != "file":
            raise ValueError(f"{path.relative_to(folder)} is a {_kind(path)}, not a notebook file: "
                             "submit the .ipynb file itself")
        return path, None if exact else f"graded {path.name!r} as {expected}"
    found = ", ".join(p.name for p in notebooks) or "no .ipynb file at all"
    raise ValueError(f"no notebook named {expected} (found: {found}); "
                     f"submit the exercise notebook under its original name {expected}")


def discover(folder, expected_name):
    """Every student's submission in ``folder``, sorted by student id.

    ``expected_name`` is the notebook's file name, e.g. ``neurons.ipynb``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist")
    found = {}
    for entry in sorted(folder.iterdir()):
        kind = _kind(entry)
        if _IGNORED.match(entry.name) or (kind == "file" and entry.suffix != ".ipynb"):
            continue                   # hidden files, __MACOSX, a stray README: not a student's entry
        sub = Submission(_student_id(entry.stem if entry.suffix == ".ipynb" else entry.name))
        if sub.student in found:
            sub.problem = f"two entries map to the student id {sub.student!r}; rename one of them"
            sub.student = _student_id(f"{sub.student}~{len(found)}")
        elif kind in ("symlink", "special file"):
            sub.problem = f"the submission is a {kind}, not a notebook or a folder: submit the files themselves"
        elif kind == "file":
            sub.path = entry
        else:
            try:
                sub.path, note = _pick_notebook(entry, expected_name)
                if note:
                    sub.notes.append(note)
            except ValueError as error:
                sub.problem = str(error)
        found[sub.student] = sub
    return list(found.values())


def load_checked(path, release, max_bytes=MAX_BYTES):
    """Read the notebook at ``path`` and line it up with the released notebook ``release``.

    Returns ``(notebook, notes)``: a notebook ready for nbgrader, and what was repaired.
    Raises ValueError with a message for the student and the instructor when the file
    cannot be graded.
    """
    raw = _read_regular_file(path, max_bytes)
    if len(raw) > max_bytes:
        raise ValueError(f"the notebook is over the {max_bytes / 2**20:.0f} MB limit: clear all outputs "
                         "(Kernel > Restart Kernel and Clear All Outputs) and resubmit")
    if not raw:
        raise ValueError("the notebook file is empty: save the notebook in Jupyter and submit it again")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"the file is not UTF-8 text (byte {error.start}): it is not a Jupyter notebook, "
                         "or it was damaged; download it again from Jupyter (File > Download)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"the file is not valid notebook JSON ({error.msg} at line {error.lineno}): "
                         "it was damaged or edited outside Jupyter; download it again from Jupyter") from None
    except RecursionError:
        raise ValueError("the file's JSON is nested too deeply to be a notebook: it was damaged or made by "
                         "hand; download it again from Jupyter") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise ValueError("the file is JSON but not a Jupyter notebook (no cells)")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # nbformat raises many kinds of errors on malformed notebooks
        raise ValueError(f"the notebook could not be read ({type(error).__name__}: {str(error)[:300]})") from None
    for index, cell in enumerate(nb.cells):
        _check_metadata(cell, index)
    return _align_cells(nb, release)


def _read_regular_file(path, max_bytes):
    """The bytes of ``path`` (at most ``max_bytes + 1``) if it is a regular file, opened without
    following a symlink (so a file swapped for a link during the batch is refused, not followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise ValueError(f"the notebook cannot be opened ({error.strerror}): it is missing, or a symlink; "
                         "submit the .ipynb file itself") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("the submission is not a regular file: submit the .ipynb file itself")
        return f.read(max_bytes + 1)


_NBGRADER_TYPES = {"grade_id": str, "grade": bool, "solution": bool, "locked": bool, "task": bool,
                   "points": (int, float), "schema_version": int, "checksum": str, "cell_type": str}


def _check_metadata(cell, index):
    """Raise ValueError if a cell's nbgrader metadata is not what nbgrader itself writes."""
    meta = cell.get("metadata", {}).get("nbgrader")
    if meta is None:
        return
    problem = None
    if not isinstance(meta, dict):
        problem = f"is a {type(meta).__name__}, not a mapping"
    else:
        for key, kind in _NBGRADER_TYPES.items():
            if key in meta and (not isinstance(meta[key], kind) or (kind is not bool and isinstance(meta[key], bool))):
                problem = f"has {key} = {str(meta[key])[:40]!r}"
                break
        if problem is None and "grade_id" in meta and not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", meta["grade_id"]):
            problem = "has a grade_id that nbgrader would not make"
    if problem:
        raise ValueError(f"cell {index + 1}'s nbgrader metadata {problem}: the notebook was edited outside "
                         "Jupyter; start again from the released exercise and copy your answers in")


def _align_cells(nb, release):
    """Check the nbgrader cells of ``nb`` against ``release`` and put back deleted ones."""
    expected = {grade_id(c): c for c in release.cells if grade_id(c)}
    seen, notes = {}, []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        version = cell.metadata.nbgrader.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"cell {gid!r} has nbgrader schema version {version!r}, expected {SCHEMA_VERSION}: "
                             "the notebook was made by another nbgrader; start from the released exercise")
        if gid in seen:
            raise ValueError(f"the graded cell {gid!r} appears more than once: delete the copies "
                             "so that each answer and test cell appears exactly once")
        seen[gid] = cell
        if gid not in expected:
            notes.append(f"cell {gid!r} is not part of the exercise; it runs as an ordinary cell")
            del cell.metadata["nbgrader"]
    missing = [gid for gid in expected if gid not in seen]
    for gid in missing:
        _insert_like_release(nb, release, gid)
        kind = "answer" if expected[gid].metadata.nbgrader.get("solution") else "locked"
        notes.append(f"the {kind} cell {gid!r} was missing and was restored from the exercise"
                     + (" (blank)" if kind == "answer" else ""))
    return nb, notes


def _insert_like_release(nb, release, gid):
    """Insert the released cell ``gid`` after the cell that precedes it in the release."""
    order = [grade_id(c) for c in release.cells]
    cell = copy.deepcopy(release.cells[order.index(gid)])
    position = 0
    for previous in reversed(order[:order.index(gid)]):
        indices = [i for i, c in enumerate(nb.cells) if previous is not None and grade_id(c) == previous]
        if indices:
            position = indices[0] + 1
            break
    nb.cells.insert(position, cell)
