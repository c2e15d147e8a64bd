"""Officer review: an append-only decision log and a pure function that applies it.

From Python::

    from kilvoice.review import record_decision, reapply, export_decisions
    record_decision(store, "rename", "alice", {"theme_id": "T03", "title": "Bus routes"}, reason="clearer")
    reapply(store)                      # the latest run's themes now carry the edit
    print(export_decisions(store, "csv"))

``apply_review(themes, assignments, links, decisions)`` is pure; the pipeline calls
``review_run`` after mapping so decisions survive re-runs.
"""
from kilvoice.review.apply import apply_review
from kilvoice.review.decisions import (KINDS, describe, export_decisions, latest_run_id, link_confirmations,
                                       load_decisions, record_decision)
from kilvoice.review.results import load_results, reapply, review_run

__all__ = ["apply_review", "record_decision", "load_decisions", "export_decisions", "describe", "reapply",
           "review_run", "load_results", "latest_run_id", "link_confirmations", "KINDS"]
