"""`kilvoice eval topics DATA.csv`: fit the theme stage on labelled texts and score it."""
from __future__ import annotations

import json
import sys

import click


@click.command("topics")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--text-column", required=True, help="Column holding the text.")
@click.option("--label-column", default=None, help="Column holding the reference label (omit for unlabelled data).")
@click.option("--pipeline", "pipeline", type=click.Path(dir_okay=False), default=None,
              help="Pipeline file whose [embed] and [topics] settings to use (default: built-in defaults).")
@click.option("--embedder", type=click.Choice(["static", "static-plain", "minilm", "tfidf", "onnx"]), default=None,
              help="Override the pipeline's embedder: static (corpus-weighted, the default), static-plain "
                   "(unweighted mean), minilm (needs kilvoice[transformer]), tfidf (needs no model), "
                   "onnx (MiniLM as int8 ONNX, bundled, no torch).")
@click.option("--limit", type=int, default=None, help="Use a seeded random sample of N rows.")
@click.option("--seed", type=int, default=None, help="Seed (default: the pipeline's project.seed, 42).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--output", type=click.Path(file_okay=False), default=None,
              help="Also write themes.csv (id, title, description, keywords, size, parent) and assignments.csv "
                   "(row: the input's 0-based data row number; theme_id) to this folder.")
def eval_topics_cmd(data, text_column, label_column, pipeline, embedder, limit, seed, as_json, output):
    """Fit themes on DATA.csv and print ARI, AMI, NMI against the labels, theme count,
    outlier share, NPMI coherence, topic diversity, stability, the share of themes that held
    on resampling (themes_holding) and seconds.

    "other" counts as its own cluster (-1) for ARI/AMI/NMI.
    """
    from kilvoice.topics.evaluate import evaluate_topics

    with click.progressbar(length=4, label="Evaluating themes", file=sys.stderr) as bar:
        result = evaluate_topics(data, text_column, label_column, pipeline=pipeline, limit=limit,
                                 seed=seed, embedder=embedder, on_step=lambda name: bar.update(1), output=output)
    if as_json:
        click.echo(json.dumps(result))
        return
    for key, value in result.items():
        if key not in ("titles", "output"):
            click.echo(f"{key:>17}: {value}")
    click.echo("           titles: " + " | ".join(result["titles"]))
    if output:
        click.echo("          written: " + ", ".join(result["output"]))
