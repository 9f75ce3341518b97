"""How a submission is executed for grading: nbgrader's ``Execute``, with what a kernel sends capped,
and the one pass/fail rule shared by ``grade``, ``check`` and stock nbgrader in this course folder.

**The rule**: a test cell fails when it raises an error (a failed ``assert``, an exception, a
timeout), and only then. Text on stderr, such as a harmless warning from correct code, does not
fail it (stock nbgrader would score it 0): ``grading.outputs.TidyOutputs`` relabels it right after
execution. ``AUTOGRADE_PREPROCESSORS`` puts it into nbgrader's pipeline; the course's
``nbgrader_config.py`` uses the same list, so ``nbgrader autograde`` and a formgrader regrade give
the scores that ``grade`` gives.

A hostile kernel can print without end or send one enormous message; the grader must not hold it
all in memory before anything trims it. So:

- :class:`KernelManager` refuses any single message over ``MAX_MESSAGE_BYTES`` (ZeroMQ drops the
  connection: the kernel looks dead and the student's notebook is reported as such);
- :class:`CappedExecute` keeps at most ``max_output_bytes`` of output per notebook as it arrives,
  then one note; ``grading.outputs.TidyOutputs`` later caps each output that was kept.
"""

import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat.v4 import new_output
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern, LimitOutput,
                                    SaveAutoGrades)
from traitlets import Integer, default

from grading.outputs import TidyOutputs
from grading.tripwires import MARK

MAX_MESSAGE_BYTES = 32 * 2**20
CUT = "\n... [the grader kept only the first {limit:,} bytes of this notebook's output]\n"


class KernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, refusing messages over ``MAX_MESSAGE_BYTES`` from a kernel."""

    @default("context")
    def _context_default(self):
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        return context


def _size(msg):
    content = msg.get("content", {})
    data = content.get("data", {})
    return len(str(content.get("text", ""))) + sum(len(str(v)) for v in data.values()) + \
        sum(len(str(line)) for line in content.get("traceback", []))


class CappedExecute(Execute):
    """nbgrader's Execute, keeping at most ``max_output_bytes`` of output for the whole notebook.

    Error outputs are always kept (a failed test must still score 0), with their tracebacks cut
    later by TidyOutputs. The grader's own tripwire cells (grading/tripwires.py) have a small budget
    of their own, so that a flood of output before them cannot silence them.
    """

    max_output_bytes = Integer(2_000_000, help="output kept per notebook, in bytes").tag(config=True)
    tripwire_bytes = 20_000

    def preprocess(self, nb, resources=None, km=None):
        self._output_bytes, self._cut_noted = 0, set()
        return super().preprocess(nb, resources, km)

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] != "error":
            if MARK in self.nb.cells[cell_index].get("metadata", {}):      # the grader's own cell
                used, limit = sum(_size({"content": o}) for o in outs) + _size(msg), self.tripwire_bytes
            else:
                self._output_bytes += _size(msg)
                used, limit = self._output_bytes, self.max_output_bytes
            if used > limit:
                if cell_index not in self._cut_noted:
                    self._cut_noted.add(cell_index)
                    outs.append(new_output("stream", name="stdout", text=CUT.format(limit=limit)))
                return None
        return super().output(outs, msg, display_id, cell_index)


# nbgrader's own autograde pipeline, with the capped Execute and TidyOutputs right after it.
AUTOGRADE_PREPROCESSORS = [CappedExecute, TidyOutputs, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                           SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
