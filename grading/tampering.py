"""Spot code that tampers with the grading instead of answering: for a human to review.

Tests run in the student's own kernel, after the student's code, so a submission can make them
pass without a right answer: ``np.allclose = lambda *a, **k: True``, a custom exception handler
that swallows ``AssertionError``, a patched ``builtins``. The tripwires (grading/tripwires.py)
catch such changes at run time, whatever their syntax; this scan is the second layer. It reads
every code cell the student's kernel will run (answer cells, cells the student added, cells
whose metadata was removed; as text, nothing runs) and flags the tools such tricks need:
modules outside a short list of what answers use (an allow-list), the kernel's own objects
(``get_ipython``, ``In``, ``Out``), names built from strings (``getattr`` with a computed name,
``vars``), dunder attributes, and assignments into library modules. A flagged submission keeps
its score and gets ``needs_review`` in grades.csv with the reasons.

Ordinary answers never need these tools, so flags are rare and worth a look.
"""

import ast

from grading.cells import nbgrader

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
# Modules an answer may import (and IPython.display); anything else is worth a look.
ALLOWED_IMPORTS = {"numpy", "nnlib", "math", "cmath", "itertools", "functools", "collections", "operator",
                   "warnings", "matplotlib", "time", "typing", "dataclasses", "random", "statistics",
                   "numbers", "fractions", "decimal", "copy", "string", "re", "heapq", "bisect", "enum",
                   "abc", "textwrap", "pprint", "sklearn", "scipy", "tqdm"}
KERNEL_NAMES = {"In": "reads the cells run so far (In)", "Out": "reads the kernel's outputs (Out)",
                "_ih": "reads the cells run so far (_ih)", "_oh": "reads the kernel's outputs (_oh)",
                "_i": "reads the previous cell (_i)", "_ii": "reads an earlier cell (_ii)",
                "_iii": "reads an earlier cell (_iii)", "vars": "reaches into a namespace (vars)",
                "locals": "reaches into a namespace (locals)", "breakpoint": "starts a debugger"}
PLAIN_DUNDERS = {"__init__", "__name__", "__doc__", "__call__", "__len__", "__repr__", "__str__",
                 "__iter__", "__next__", "__getitem__", "__setitem__", "__contains__", "__main__",
                 "__add__", "__mul__", "__sub__", "__truediv__", "__matmul__", "__neg__", "__post_init__"}


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
            if name in ("getattr", "hasattr") and len(node.args) > 1 and not isinstance(node.args[1], ast.Constant):
                found.append(f"{name} with a name computed at run time")
            if name in ("run_line_magic", "run_cell_magic", "system"):
                found.append("runs IPython magics or shell commands")
        if isinstance(node, ast.Attribute) and node.attr in NAMES:
            found.append(NAMES[node.attr])
        elif isinstance(node, ast.Attribute) and node.attr.startswith("__") and node.attr not in PLAIN_DUNDERS:
            found.append(f"reaches into {node.attr}")
        elif isinstance(node, ast.Name) and node.id in NAMES:
            found.append(NAMES[node.id])
        elif isinstance(node, ast.Name) and node.id in KERNEL_NAMES:
            found.append(KERNEL_NAMES[node.id])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("__") \
                and node.value.endswith("__") and node.value not in PLAIN_DUNDERS:
            found.append(f"names {node.value} in a string")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.level:
                found.append("imports relative to a package")
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] not in ALLOWED_IMPORTS and module.split(".")[:2] != ["IPython", "display"]:
                    found.append(f"imports {module}")
    return list(dict.fromkeys(found))


MAX_SCANNED = 100_000          # characters of one cell; longer answers are flagged unread


def review_reasons(notebook, locked_ids=()):
    """Reasons to review a submission, from every code cell its kernel will run as written.

    ``locked_ids``: grade_ids of the release's locked cells, which nbgrader replaces with the
    originals before it runs them (so what the student wrote there never runs). A cell too long
    or too deeply nested to parse is itself a reason (no answer needs that).
    """
    reasons = []
    for number, cell in enumerate(notebook.cells, 1):
        meta = nbgrader(cell)
        if cell.cell_type == "code" and not (meta.get("locked") and meta.get("grade_id") in locked_ids):
            gid = meta.get("grade_id") or f"added cell {number}"
            if len(cell.source) > MAX_SCANNED:
                reasons.append(f"{gid}: an answer of {len(cell.source):,} characters was not scanned")
                continue
            try:
                reasons += [f"{gid}: {r}" for r in reasons_in(cell.source)]
            except (RecursionError, MemoryError, ValueError):
                reasons.append(f"{gid}: code nested too deeply to be scanned")
    return list(dict.fromkeys(reasons))
