"""The student kit (kit/build_kit.py) and its checker (nnfs_check).

The kit must hold no solution code and no hidden test; its requirements are the course's pins;
and a student who unpacks it in an empty folder and follows its README gets a working set-up in
a fresh virtual environment, where ``nnfs-check`` reports a blank exercise as not started (exit 1)
and the solution's answers as passed (exit 0). That last test installs the kit's requirements
into a new venv (about half a minute), from the wheels ``make setup`` downloads into _kit_wheels/,
with no network; set ``NNFS_SKIP_KIT_VENV=1`` to skip it.
"""

import copy
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

import nnfs_check

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "kit"))
import build_kit  # noqa: E402

EXERCISE = "01-neurons/neurons.ipynb"   # imports nnlib.datasets: proves nnlib is installed
TRIVIAL = {"", "pass", "return", "else:", "try:", "finally:", '"""', ")", "]", "}", "break", "continue"}
REGIONS = {"### BEGIN SOLUTION": "### END SOLUTION", "### BEGIN HIDDEN TESTS": "### END HIDDEN TESTS"}


# --------------------------------------------------------------------------- helpers


def secret_lines(source_lines):
    """Lines inside solution and hidden-test regions (stripped; trivial and comment lines left out)."""
    found, end = set(), None
    for line in source_lines:
        text = line.strip()
        if end is None and text in REGIONS:
            end = REGIONS[text]
        elif text == end:
            end = None
        elif end and text not in TRIVIAL and not text.startswith("#"):
            found.add(text)
    return found


def notebook_lines(text):
    """Every line of a notebook's cells and text outputs."""
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        yield from ("".join(source) if isinstance(source, list) else source).splitlines()
        for output in cell.get("outputs", []):
            data = output.get("text") or output.get("data", {}).get("text/plain") or ""
            yield from ("".join(data) if isinstance(data, list) else data).splitlines()


def archive_lines(name, data):
    """Every text line in a file of the kit (looking inside notebooks and the wheel)."""
    if name.endswith(".ipynb"):
        yield from notebook_lines(data.decode("utf-8"))
    elif name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            for member in inner.namelist():
                yield from archive_lines(member, inner.read(member))
    else:
        yield from data.decode("utf-8", errors="replace").splitlines()


def public_lines():
    """Lines students see anyway: the released exercises, the book's notebooks (the website) and
    nnlib's source (the library every notebook imports). A solution line that is also one of
    these (``mistakes += 1``, ``from nnlib.layers import Linear``) reveals nothing."""
    lines = set()
    for path in list((ROOT / "exercises").glob("*/*.ipynb")) + list((ROOT / "book").rglob("*.ipynb")):
        lines.update(line.strip() for line in notebook_lines(path.read_text(encoding="utf-8")))
    for path in (ROOT / "nnlib").glob("*.py"):
        lines.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return lines


def solution_answers(path):
    """{grade_id: source} of the answer cells of a solution notebook."""
    nb = nbformat.read(path, as_version=4)
    return {c.metadata.nbgrader.grade_id: c.source for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}


def filled_in(exercise, answers):
    """A copy of an exercise notebook with its answer cells replaced by ``answers``."""
    nb = copy.deepcopy(exercise)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The kit built afresh: ``{name inside the zip: bytes}`` and the zip's path."""
    out = tmp_path_factory.mktemp("kit")
    zip_path, wheel = build_kit.build_kit(out)
    with zipfile.ZipFile(zip_path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return files, zip_path, wheel


# --------------------------------------------------------------------------- contents


def test_the_kit_holds_the_exercises_the_notebooks_nnlib_and_a_readme(kit):
    files, zip_path, wheel = kit
    top = build_kit.KIT_NAME + "/"
    assert all(name.startswith(top) for name in files), "the kit must unpack into one folder"
    names = {name[len(top):] for name in files}
    for path in (ROOT / "exercises").glob("*/*.ipynb"):
        assert f"exercises/{path.parent.name}/{path.name}" in names
    for path in (ROOT / "book").glob("[0-9][0-9]-*/*.ipynb"):
        assert f"chapters/{path.parent.name}/{path.name}" in names
    assert {"README.md", "requirements.txt", wheel.name} <= names
    assert not any(n.startswith(("solutions/", "grading/", "tests/")) for n in names)
    with zipfile.ZipFile(io.BytesIO(files[top + wheel.name])) as whl:
        members = whl.namelist()
    assert "nnlib/core.py" in members and "nnfs_check/__init__.py" in members
    assert zip_path.stat().st_size < 10e6, f"the kit is {zip_path.stat().st_size / 1e6:.1f} MB"
    # Built twice, the same bytes (the site and caches do not change while the sources do not).
    again, _ = build_kit.build_kit(zip_path.parent / "again")
    assert again.read_bytes() == zip_path.read_bytes()


def test_the_kit_holds_no_solution_code_and_no_hidden_test(kit):
    files, _, _ = kit
    secrets = set()
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            secrets |= secret_lines(cell.source.splitlines())
    secret = secrets - public_lines()
    assert len(secret) > 500, f"only {len(secret)} solution and hidden-test lines found: is the scan right?"
    # The scan finds them where they are: in the solution notebooks themselves.
    leaked_from_solutions = secret & {
        line.strip() for path in (ROOT / "solutions").glob("*/*.ipynb")
        for line in notebook_lines(path.read_text(encoding="utf-8"))}
    assert leaked_from_solutions == secret
    leaks = []
    for name, data in files.items():
        for line in archive_lines(name, data):
            if line.strip() in secret:
                leaks.append(f"{name}: {line.strip()}")
    assert not leaks, "the kit holds solution or hidden-test lines:\n  " + "\n  ".join(leaks[:30])


def test_the_kit_requirements_are_the_course_pins_without_the_instructor_tools(kit):
    files, _, wheel = kit
    text = files[f"{build_kit.KIT_NAME}/requirements.txt"].decode()
    course = build_kit._pins(ROOT / "requirements.txt")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[build_kit._canonical(name)] = version
    assert pins, "the kit's requirements.txt pins nothing"
    for name, version in pins.items():
        assert course[name][1] == version, f"{name}=={version} in the kit, =={course[name][1]} in the course"
    for tool in ("nbgrader", "playwright", "psycopg", "psycopg-binary", "sqlalchemy", "jupyter-book", "pytest"):
        assert tool not in pins, f"the student kit installs {tool}"
    for needed in ("numpy", "matplotlib", "scikit-learn", "jupyterlab", "ipykernel", "nbclient"):
        assert needed in pins
    assert f"./{wheel.name}" in text.splitlines()


def test_every_exercise_says_what_to_install_and_how_to_check():
    wheel = build_kit.wheel_name()
    for path in sorted((ROOT / "exercises").glob("*/*.ipynb")):
        intro = nbformat.read(path, as_version=4).cells[0].source
        assert wheel in intro and "No module named 'nnlib'" in intro and "nn-from-scratch.zip" in intro, \
            f"{path.name}: the first cell must say what to install when nnlib is missing ({wheel})"
        assert f"nnfs-check {path.name}" in intro, f"{path.name}: the first cell must say how to check it"
        assert "python -m grading" not in intro, f"{path.name} sends students to the course's grading tools"


# --------------------------------------------------------------------------- the checker


def run_check(path, python=sys.executable, command=None, cwd=None):
    argv = command or [python, "-m", "nnfs_check", str(path)]
    env = dict(os.environ, PYTHONPATH=str(ROOT)) if command is None else dict(os.environ)
    if command is not None:
        env.pop("PYTHONPATH", None)
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def statuses(output):
    """{grade_id: status} from nnfs-check's table."""
    return dict(re.findall(r"^(test_\w+)\s+[\d.]+ / [\d.]+\s+(not started|passed|FAILED)\s*$", output, re.M))


def test_check_reports_each_task_not_started_passed_or_failed(tmp_path):
    exercise = nbformat.read(ROOT / "exercises" / "02-perceptrons" / "perceptrons.ipynb", as_version=4)
    answers = solution_answers(ROOT / "solutions" / "02-perceptrons" / "perceptrons.ipynb")
    nb = filled_in(exercise, {"perceptron_predict": answers["perceptron_predict"],
                              "perceptron_epoch": answers["perceptron_epoch"].replace("lr * error", "0 * error"),
                              "train_perceptron": "def train_perceptron(X, y lr=1.0):\n    pass"})
    # A harmless warning on stderr does not fail a task.
    nb.cells[1].source += "\nimport sys; print('a harmless warning', file=sys.stderr)"
    path = tmp_path / "perceptrons.ipynb"
    nbformat.write(nb, path)
    found = nnfs_check.tasks(nnfs_check.run_notebook(path))
    by_id = {t.grade_id: t for t in found}
    assert by_id["test_perceptron_predict"].status == "passed"
    assert by_id["test_perceptron_epoch"].status == "FAILED" and by_id["test_perceptron_epoch"].message
    assert by_id["test_train_perceptron"].status == "FAILED"
    assert "SyntaxError" in by_id["test_train_perceptron"].message, by_id["test_train_perceptron"].message
    assert {t.status for t in found[3:]} == {"not started"}
    # The file itself is not changed.
    assert nbformat.read(path, as_version=4) == nb


def test_check_stops_an_endless_loop_and_passes_nothing_after_it(tmp_path):
    exercise = nbformat.read(ROOT / "exercises" / "02-perceptrons" / "perceptrons.ipynb", as_version=4)
    answers = solution_answers(ROOT / "solutions" / "02-perceptrons" / "perceptrons.ipynb")
    answers["perceptron_epoch"] = "def perceptron_epoch(X, y, w, b, lr=1.0):\n    while True:\n        pass"
    path = tmp_path / "perceptrons.ipynb"
    nbformat.write(filled_in(exercise, answers), path)
    found, table, ok = nnfs_check.check(path, timeout=3)
    assert not ok
    assert [t.status for t in found] == ["passed"] + ["FAILED"] * (len(found) - 1), table
    assert "ran out of time" in found[1].message and "did not run" in found[2].message, table


def test_check_never_shows_a_hidden_test(tmp_path):
    """Run on a notebook that still has hidden tests, a failing hidden test is named as such."""
    nb = nbformat.read(ROOT / "solutions" / "02-perceptrons" / "perceptrons.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_xor_weights":
            cell.source = cell.source.replace("### BEGIN HIDDEN TESTS", "### BEGIN HIDDEN TESTS\nassert False, 'SECRET'")
    path = tmp_path / "perceptrons.ipynb"
    nbformat.write(nb, path)
    found = {t.grade_id: t for t in nnfs_check.tasks(nnfs_check.run_notebook(path))}
    assert found["test_xor_weights"].status == "FAILED"
    assert "SECRET" not in found["test_xor_weights"].message and "hidden" in found["test_xor_weights"].message
    assert all(t.passed for gid, t in found.items() if gid != "test_xor_weights")


# --------------------------------------------------------------------------- following the README


def readme_commands(readme):
    """The ``sh`` code blocks of the kit's README, in order: [set-up, open Jupyter, check]."""
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", readme, re.S)]


@pytest.fixture
def empty_folder(tmp_path):
    """An empty folder for the student, in memory (/dev/shm) where there is one: the set-up writes
    about 500 MB into .venv, which took 52 s on this project's virtual disk and 19 s in memory.
    Removed afterwards, so that old test runs do not keep their copies."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(prefix="nnfs-kit-", dir=shm) as folder:
        yield Path(folder)


@pytest.mark.skipif(os.environ.get("NNFS_SKIP_KIT_VENV") == "1", reason="NNFS_SKIP_KIT_VENV=1")
@pytest.mark.skipif(sys.platform == "win32", reason="the README's commands for Linux and macOS")
def test_a_student_follows_the_readme_in_an_empty_folder(kit, empty_folder):
    _, zip_path, _ = kit
    wheels = build_kit.WHEELS
    downloaded = wheels / "requirements.txt"
    if not (downloaded.is_file() and downloaded.read_text(encoding="utf-8") == build_kit.third_party_requirements()):
        pytest.fail(f"{wheels} does not hold the wheels of the kit's current requirements: run 'make setup' "
                    "(it downloads them with pip, once), or set NNFS_SKIP_KIT_VENV=1 to skip this test on "
                    "purpose", pytrace=False)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(empty_folder)
    folder = empty_folder / build_kit.KIT_NAME
    setup, jupyter, check = readme_commands((folder / "README.md").read_text(encoding="utf-8"))
    # A student's shell: none of the test run's Python settings. (PYTHONDONTWRITEBYTECODE, which some
    # machines set, would make every Python below compile all it imports again: 4 s of CPU here.)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    # pip byte-compiles every installed file (JupyterLab, SciPy, ...): 44 s of CPU, nothing this test
    # checks, and Python compiles what it imports (once: it keeps the bytecode). For pip's "--no-..."
    # switches the variable takes a false value (PIP_NO_COMPILE=1 would mean "compile"; see pip's docs).
    env.update(PIP_NO_COMPILE="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    # The packages come from the wheels `make setup` downloaded, not from the package index: no
    # network while testing. pip reads these as --no-index --find-links; the README's command stays.
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels))
    # The README says python3; use the Python running the tests (3.11+, as the README asks).
    setup = setup.replace("python3 -m venv", f"{shlex.quote(sys.executable)} -m venv", 1)
    done = subprocess.run(["bash", "-euc", setup], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"the README's set-up failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    # Jupyter is there (opening it would block: ask for its version instead).
    assert subprocess.run(shlex.split(jupyter) + ["--version"], cwd=folder, env=env,
                          capture_output=True, timeout=120).returncode == 0, f"{jupyter!r} does not run"
    # nnfs-check on the blank exercise: every task not started, exit 1.
    argv = shlex.split(check)
    assert argv[-1] == f"exercises/{EXERCISE}"
    blank = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert blank.returncode == 1, blank.stdout + blank.stderr
    found = statuses(blank.stdout)
    assert found and set(found.values()) == {"not started"}, blank.stdout
    # The solution's answers filled in, in a folder of its own (one exercise downloaded alone works
    # too: nnlib is installed): every task passed, exit 0.
    exercise = folder / "exercises" / EXERCISE
    alone = empty_folder / "just-one-download"
    alone.mkdir()
    answers = solution_answers(ROOT / "solutions" / EXERCISE)
    nbformat.write(filled_in(nbformat.read(exercise, as_version=4), answers), alone / exercise.name)
    solved = subprocess.run([str(folder / argv[0]), exercise.name], cwd=alone, env=env, capture_output=True,
                            text=True, timeout=300)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert statuses(solved.stdout) == dict.fromkeys(found, "passed"), solved.stdout
    # None of the instructor's tools came along.
    listed = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-m", "pip", "list"], env=env,
                            capture_output=True, text=True, timeout=120).stdout.lower()
    for tool in ("nbgrader", "playwright", "psycopg"):
        assert tool not in listed, f"the kit's set-up installed {tool}"
