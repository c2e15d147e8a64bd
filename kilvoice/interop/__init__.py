"""Work with the tools councils and researchers already use.

* REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder): :func:`export_qdpx` writes a run as a
  ``.qdpx`` project or ``.qdc`` codebook; :func:`import_qdpx` reads a project an analyst has
  recoded and records the differences as review decisions (rename, merge, move, split).
* Survey platforms (Citizen Space, SmartSurvey, Microsoft Forms, Google Forms, Commonplace):
  :mod:`kilvoice.interop.surveys` recognises their export layouts for the CSV/XLSX reader.

From Python::

    from kilvoice.interop import export_qdpx, import_qdpx
    export_qdpx(store, "kelvale.qdpx")
    import_qdpx(store, "kelvale-recoded.qdpx", analyst="j.smith")

See docs/INTEROP.md for what maps to what.
"""
from kilvoice.interop.qdpx_export import export_qdpx
from kilvoice.interop.qdpx_import import import_qdpx  # noqa: E402

__all__ = ["export_qdpx", "import_qdpx"]
