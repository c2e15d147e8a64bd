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
__all__ = ["export_qdpx", "import_qdpx"]


def __getattr__(name: str):
    # lazy, so that the ingest reader can import kilvoice.interop.surveys without the store layer
    if name == "export_qdpx":
        from kilvoice.interop.qdpx_export import export_qdpx
        return export_qdpx
    if name == "import_qdpx":
        from kilvoice.interop.qdpx_import import import_qdpx
        return import_qdpx
    raise AttributeError(name)
