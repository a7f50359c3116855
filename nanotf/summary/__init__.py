"""`tf.summary`."""

from nanotf._src.summary import SummaryWriter as SummaryWriter
from nanotf._src.summary import audio as audio
from nanotf._src.summary import create_file_writer as create_file_writer
from nanotf._src.summary import create_noop_writer as create_noop_writer
from nanotf._src.summary import flush as flush
from nanotf._src.summary import histogram as histogram
from nanotf._src.summary import image as image
from nanotf._src.summary import record_if as record_if
from nanotf._src.summary import scalar as scalar
from nanotf._src.summary import should_record_summaries as should_record_summaries
from nanotf._src.summary import text as text
from nanotf._src.summary import write as write
from nanotf._src.summary_trace import graph as graph
from nanotf._src.summary_trace import trace_export as trace_export
from nanotf._src.summary_trace import trace_off as trace_off
from nanotf._src.summary_trace import trace_on as trace_on
from nanotf.summary import experimental as experimental
