"""``TidyOutputs``: an nbgrader preprocessor that runs right after the notebook is executed.

- Every output is capped in bytes (``max_bytes``, default 100 kB): ``print('x' * 10**8)`` leaves a
  short note instead of a 100 MB notebook and feedback page.
- Text on stderr is kept but relabelled as ordinary output. nbgrader scores a test cell 0 when it
  printed anything on stderr, so a harmless warning from correct code (a ``DeprecationWarning``, a
  NumPy ``RuntimeWarning`` the test does not care about) would cost the task's points. A failed test
  is an *error* output, which is left alone and still scores 0.
"""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer

NOTE = "\n... [output cut by the grader: {n:,} bytes over the {limit:,}-byte limit]\n"


def _cut(text, limit):
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore") + NOTE.format(n=len(data) - limit, limit=limit)


class TidyOutputs(Preprocessor):
    enabled = Bool(True).tag(config=True)
    max_bytes = Integer(100_000, help="largest output kept, in bytes").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                out.name = "stdout"
                out.text = _cut(out.text, self.max_bytes)
            elif out.output_type == "error":
                out.traceback = [_cut(line, self.max_bytes) for line in out.traceback[:200]]
                out.evalue = _cut(out.evalue, self.max_bytes)
            else:
                for mime, value in list(out.get("data", {}).items()):
                    if isinstance(value, str) and len(value) > self.max_bytes:
                        out.data[mime] = (_cut(value, self.max_bytes) if mime.startswith("text/")
                                          else "[output cut by the grader: too large]")
                        if not mime.startswith("text/"):
                            out.data = {"text/plain": out.data[mime]}
                            break
        return cell, resources
