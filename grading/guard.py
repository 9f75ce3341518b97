"""The code of the grader's guard cell. Its source is pasted into each graded notebook; it runs in the
student's kernel, first, before any cell of the student's.

``arm(nonce, imported)`` records what the tests rely on, while it is still the original: NumPy's and
nnlib's functions, the builtins, the interpreter's hooks (trace, profile, exception, display), and
IPython's and the kernel's machinery (input and AST transformers, event callbacks, the methods that
run a cell and show its errors). It returns ``check(where)``, which the grader's check cells call
after each test cell: it prints ``nnfs guard <nonce> ok <where>`` when all is still the original, and
raises ``AssertionError`` naming what changed otherwise.

``imported`` lists the names the notebook's locked cells (imports and tests, hidden ones included)
import, as (name, module, attribute or None). The guard imports those modules itself, so that they
are recorded as they are before any student code, and checks the names too, so that a student's
cell that rebinds one (``np = fake_numpy``) is caught.

This is a tripwire, not a wall: it catches any way of bending the tests that leaves a trace in these
objects, whatever the syntax that did it. Code written against this very guard could still hide;
the grader's scan of every cell and the canary test (grading/tripwires.py) are the other layers.
"""


def arm(nonce, imported):
    import builtins
    import importlib
    import sys
    import threading
    import types
    import warnings

    import numpy  # noqa: F401 - every test uses it

    for module in sorted({module for _, module, _ in imported}):
        try:                              # what the tests import, imported now: still the original
            importlib.import_module(module)
        except ImportError:
            pass

    ip = get_ipython()  # noqa: F821 - defined in every IPython kernel
    kernel = getattr(ip, "kernel", None)
    roots = ("numpy", "nnlib", "math", "warnings", "IPython", "ipykernel", "traceback",
             "linecache", "codeop", "ast", "inspect", "types", "functools", "operator")
    modules = {name: mod for name, mod in list(sys.modules.items())
               if mod is not None and name.split(".")[0] in roots}
    machinery = [ip, kernel, ip.compile, ip.input_transformer_manager, ip.InteractiveTB, ip.SyntaxTB,
                 ip.displayhook, ip.display_pub, ip.events]
    machinery = [obj for obj in machinery if obj is not None]
    classes = {cls for obj in machinery for cls in type(obj).__mro__ if cls is not object}
    SHADOWABLE = ("isinstance", "len", "float", "int", "bool", "abs", "all", "any", "range", "type",
                  "getattr", "hasattr", "str", "repr", "tuple", "list", "dict", "set", "zip",
                  "enumerate", "round", "print")

    def inline_backend(f):
        """The callback ``%matplotlib inline`` adds (importing it here would cost a second per kernel)."""
        mod = sys.modules.get("matplotlib_inline.backend_inline")
        return (mod is not None and f is vars(mod).get("flush_figures")
                and getattr(getattr(f, "__code__", None), "co_filename", None) == mod.__file__)

    def hooks():
        tm = ip.input_transformer_manager
        return {
            "sys.gettrace": sys.gettrace(), "sys.getprofile": sys.getprofile(),
            "threading trace": getattr(threading, "_trace_hook", None),
            "threading profile": getattr(threading, "_profile_hook", None),
            "sys.excepthook": sys.excepthook, "sys.displayhook": sys.displayhook,
            "sys.breakpointhook": sys.breakpointhook, "sys.unraisablehook": sys.unraisablehook,
            "sys.stdout": sys.stdout, "sys.stderr": sys.stderr,
            "warnings.showwarning": warnings.showwarning,
            "sys.meta_path": tuple(sys.meta_path), "sys.path_hooks": tuple(sys.path_hooks),
            "input_transformers_cleanup": tuple(ip.input_transformers_cleanup),
            "input_transformers_post": tuple(ip.input_transformers_post),
            "ast_transformers": tuple(ip.ast_transformers),
            "line_transforms": tuple(getattr(tm, "line_transforms", ())),
            "token_transformers": tuple(getattr(tm, "token_transformers", ())),
            "custom_exceptions": tuple(ip.custom_exceptions),
            "event callbacks": tuple((k, tuple(f for f in v if not inline_backend(f)))
                                     for k, v in sorted(ip.events.callbacks.items())),
            "kernel handlers": tuple(sorted(getattr(kernel, "shell_handlers", {}).items())),
            "user namespace": ip.user_ns,
        }

    def same(a, b):
        if isinstance(a, tuple) and isinstance(b, tuple):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if isinstance(a, types.MethodType) and isinstance(b, types.MethodType):   # made anew
            return a.__func__ is b.__func__ and a.__self__ is b.__self__
        return a is b or (type(a) is type(b) is str and a == b)

    before_hooks = hooks()
    before_builtins = dict(vars(builtins))
    before_modules = {name: (mod, dict(vars(mod))) for name, mod in modules.items()}
    before_classes = {cls: dict(vars(cls)) for cls in classes}
    before_instances = [(obj, {k: v for k, v in vars(obj).items() if callable(v)}) for obj in machinery
                        if hasattr(obj, "__dict__")]

    def changes():
        found = [name for name, value in hooks().items() if not same(value, before_hooks[name])]
        found += [f"builtins.{k}" for k, v in before_builtins.items()
                  if k not in ("_", "input", "getpass") and not same(vars(builtins).get(k), v)]
        for name, (mod, contents) in before_modules.items():
            if sys.modules.get(name) is not mod:
                found.append(f"sys.modules[{name!r}]")
            now = vars(mod)
            found += [f"{name}.{k}" for k, v in contents.items()
                      if now.get(k) is not v and not k.startswith("__") and (callable(v) or hasattr(v, "__dict__"))]
        for cls, contents in before_classes.items():
            now = vars(cls)
            found += [f"{cls.__name__}.{k}" for k in set(contents) | set(now)
                      if now.get(k) is not contents.get(k) and k not in ("__doc__", "__weakref__")]
        for obj, contents in before_instances:
            now = {k: v for k, v in vars(obj).items() if callable(v)}
            found += [f"{type(obj).__name__} instance .{k}" for k in set(contents) | set(now)
                      if now.get(k) is not contents.get(k)
                      and (k in contents or hasattr(type(obj), k))]
        ns = ip.user_ns
        for name, module, attribute in imported:
            mod, contents = before_modules.get(module) or (sys.modules.get(module), None)
            if contents is None:                   # a module the guard did not record
                contents = vars(mod) if mod is not None else {}
            original = mod if attribute is None else contents.get(attribute)
            if name in ns and ns[name] is not original:
                found.append(f"the notebook's name {name!r}")
        for name, value in list(ns.items()):
            builtin = before_builtins.get(name)
            if builtin is not None and value is not builtin and (
                    name in SHADOWABLE or (isinstance(builtin, type) and issubclass(builtin, BaseException))):
                found.append(f"the builtin name {name!r}")
        return sorted(set(found))

    def check(where):
        found = changes()
        if found:
            raise AssertionError(f"nnfs guard {nonce} changed {where}: " + ", ".join(found[:20]))
        print(f"nnfs guard {nonce} ok {where}")

    print(f"nnfs guard {nonce} armed")
    return check
