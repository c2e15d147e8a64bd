"""`kilvoice eval mapping`: score framework mapping against a labelled CSV."""
from __future__ import annotations

import json

import click


@click.command("mapping")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--text-column", required=True, help="Column holding the text.")
@click.option("--labels-column", required=True, help="Column of ';'-separated item ids of the framework.")
@click.option("--framework", required=True, help="Framework file (.yaml) or bundled id the labels refer to.")
@click.option("--train-per-label", "k", type=int, default=0, show_default=True,
              help="K labelled rows per item used as officer confirmations (0: zero-shot).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for choosing the K rows.")
@click.option("--embedder", type=click.Choice(["static", "static-plain", "onnx", "minilm"]), default="static",
              show_default=True,
              help="static: the bundled model, words weighted by IDF in DATA (the main job's above 5,000 "
                   "statements); static-plain: unweighted; onnx: MiniLM as int8 ONNX (the main job's up to "
                   "5,000); minilm: needs kilvoice[transformer].")
@click.option("--mapper", type=click.Choice(["v5", "v2", "v1"]), default="v2", show_default=True,
              help="Learned mapper for K > 0: v2 hybrid (embeddings + word n-grams, self-trained), "
                   "v5 the same, one item per row when the K rows have one each (map.learned.v5), "
                   "v1 embeddings only.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (default prints a summary).")
def eval_mapping_cmd(data, text_column, labels_column, framework, k, seed, embedder, mapper, as_json):
    """Micro/macro F1 and per-item precision/recall of mapping DATA onto a framework."""
    from kilvoice.embed import MiniLMEmbedder, StaticEmbedder
    from kilvoice.mapping.evaluate import eval_mapping

    if k < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--train-per-label")
    if embedder == "minilm":
        model = MiniLMEmbedder()
    elif embedder == "onnx":
        from kilvoice.embed_onnx import OnnxEmbedder

        model = OnnxEmbedder()
    else:
        model = StaticEmbedder(weighting="idf" if embedder == "static" else None)
    report = eval_mapping(data, text_column, labels_column, framework, train_per_label=k, seed=seed, embedder=model,
                          mapper=mapper)
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"micro F1 {report['micro_f1']:.3f}  macro F1 {report['macro_f1']:.3f}  "
               f"K={report['k']}  train {report['n_train']}  scored {report['n_test']}  {report['seconds']}s")
