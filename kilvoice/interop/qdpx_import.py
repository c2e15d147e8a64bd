def import_qdpx(*a, **k): raise NotImplementedError
