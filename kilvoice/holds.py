"""Whether a theme held when the model was refitted on two 90% samples (Hennig 2007; the figures
come from :mod:`kilvoice.topics.stability`). Kept apart from :mod:`kilvoice.topics` so that the
report reads a verdict without importing the theme stage (scikit-learn, BERTopic): ``kilvoice
report`` on a finished run starts ~2 CPU s sooner (docs/PERFORMANCE.md, "speed17d")."""
from __future__ import annotations

HOLDS, PARTLY = 0.75, 0.5  # Hennig's floors for a theme that holds / partly holds


def verdict(jaccard: float) -> str:
    """"holds", "partly" or "loose" for a theme's mean best Jaccard, read at two decimals (the
    figure reports show), so a theme printed as 0.50 is never called loose."""
    j = round(float(jaccard), 2)
    return "holds" if j >= HOLDS else "partly" if j >= PARTLY else "loose"
