"""Spot code that tampers with the grading instead of answering: for a human to review.

Tests run in the student's own kernel, after the student's code, so a submission can make them
pass without a right answer: ``np.allclose = lambda *a, **k: True``, a custom exception handler
that swallows ``AssertionError``, a patched ``builtins``. No test inside that kernel can rule this
out. The grader therefore reads the submitted answer cells (as text; nothing runs) and flags
every use of the tools such tricks need. A flagged submission keeps its score and gets
``needs_review`` in grades.csv with the reasons, so the instructor can look before trusting it.

Ordinary answers never need these tools, so flags are rare and worth a look.
"""

import ast

# Names whose attributes an answer has no business reassigning.
MODULES = {"np", "numpy", "builtins", "__builtins__", "math", "sys", "os", "warnings", "IPython",
           "unittest", "pytest", "nnlib", "F", "random", "scipy", "traceback", "inspect"}
CALLS = {"exec": "runs code built from a string (exec)", "eval": "evaluates a string as code (eval)",
         "compile": "compiles code from a string (compile)", "__import__": "imports dynamically (__import__)",
         "setattr": "sets an attribute by name (setattr)", "delattr": "deletes an attribute by name (delattr)",
         "get_ipython": "talks to the IPython kernel (get_ipython)", "globals": "edits globals()",
         "open": "opens files"}
NAMES = {"__builtins__": "touches __builtins__", "__class__": "reaches into __class__",
         "__subclasses__": "walks __subclasses__", "__globals__": "reaches into __globals__",
         "__code__": "rewrites a function's __code__", "excepthook": "replaces an exception hook",
         "set_custom_exc": "installs a custom exception handler (set_custom_exc)",
         "showtraceback": "replaces how errors are shown (showtraceback)",
         "modules": "edits sys.modules", "AssertionError": "handles or redefines AssertionError"}
HARMLESS_MAGICS = {"time", "timeit", "matplotlib"}
IMPORTS = {"builtins", "IPython", "ctypes", "importlib", "inspect", "gc", "sys", "os", "subprocess",
           "socket", "signal", "atexit", "threading", "multiprocessing", "sqlite3", "shutil"}


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def reasons_in(source):
    """Why ``source`` (one answer cell) needs review: a list of short reasons, empty if none."""
    found, lines = [], []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("!"):
            found.append("runs shell commands (!)")
        elif stripped.startswith("%") and stripped.split()[0].lstrip("%") not in HARMLESS_MAGICS:
            found.append(f"runs the IPython magic {stripped.split()[0]}")
        lines.append("" if stripped.startswith(("!", "%")) else line)
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return found       # it will fail to run; a syntax error is not tampering
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)) and _root(t) in MODULES:
                    found.append(f"reassigns {ast.unparse(t)}")
                elif isinstance(t, ast.Name) and t.id in ("AssertionError", "print", "__builtins__"):
                    found.append(f"redefines {t.id}")
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else None)
            if name in CALLS:
                found.append(CALLS[name])
            if name in ("run_line_magic", "run_cell_magic", "system"):
                found.append("runs IPython magics or shell commands")
        elif isinstance(node, ast.Attribute) and node.attr in NAMES:
            found.append(NAMES[node.attr])
        elif isinstance(node, ast.Name) and node.id in NAMES:
            found.append(NAMES[node.id])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in IMPORTS:
                    found.append(f"imports {module}")
    return list(dict.fromkeys(found))


MAX_SCANNED = 100_000          # characters of one cell; longer answers are flagged unread


def review_reasons(notebook):
    """Reasons to review a submission, from its answer cells (``solution`` cells) only.

    A cell too long or too deeply nested to parse is itself a reason (no answer needs that).
    """
    reasons = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            gid = meta.get("grade_id", "?")
            if len(cell.source) > MAX_SCANNED:
                reasons.append(f"{gid}: an answer of {len(cell.source):,} characters was not scanned")
                continue
            try:
                reasons += [f"{gid}: {r}" for r in reasons_in(cell.source)]
            except (RecursionError, MemoryError, ValueError):
                reasons.append(f"{gid}: code nested too deeply to be scanned")
    return list(dict.fromkeys(reasons))
