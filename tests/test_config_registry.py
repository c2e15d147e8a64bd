import pytest
from click.testing import CliRunner

from kilvoice import registry
from kilvoice.cli import main
from kilvoice.config import load_pipeline, stage_settings
from kilvoice.errors import KilvoiceError

from conftest import REPO


def test_bundled_pipeline_loads_and_resolves_against_repo():
    config = load_pipeline(REPO / "pipelines" / "big-conversation.toml")
    assert config["_root"] == str(REPO)
    name, settings = stage_settings(config, "topics")
    assert name == "kilvoice.topics.bertopic.v2"
    assert "stage" not in settings


def test_missing_pipeline_file(tmp_path):
    with pytest.raises(KilvoiceError) as err:
        load_pipeline(tmp_path / "nope.toml")
    assert err.value.code == "K104"


def test_bad_toml_names_the_file(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[project\nname = 1")
    with pytest.raises(KilvoiceError) as err:
        load_pipeline(p)
    assert err.value.code == "K102"
    assert str(p) in err.value.message


def test_unknown_section_is_refused(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text('[topicz]\nstage = "x"\n')
    with pytest.raises(KilvoiceError) as err:
        load_pipeline(p)
    assert err.value.message == f"pipeline file {p}: unknown section(s) topicz; allowed: " \
        "project, inputs, ingest, redact, segment, embed, topics, map, report, safeguarding, executor"


def test_unknown_stage_lists_the_registered_ones():
    with pytest.raises(KilvoiceError) as err:
        registry.get("kilvoice.topics.nope.v9")
    assert err.value.code == "K101"
    assert "kilvoice.segment.sentences.v1" in err.value.message
    assert "kilvoice.embed.static.v1" in err.value.message


def test_cli_unknown_stage_exit_code_and_message(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text('[inputs]\npaths = []\n[segment]\nstage = "kilvoice.segment.sentences.v9"\n')
    from kilvoice.config import load_pipeline as lp
    assert lp(p)["segment"]["stage"].endswith("v9")
    result = CliRunner().invoke(main, ["run", str(p), "-q"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: K")


def test_cli_missing_pipeline_message():
    result = CliRunner().invoke(main, ["run", "missing.toml", "-q"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: K104 pipeline file missing.toml not found. Pass the path of a .toml file, "
                             "e.g. pipelines/big-conversation.toml\n")


def test_every_command_has_help_and_is_in_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    for name in main.list_commands(None):
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output
        assert f"kilvoice {name}" in readme, f"`kilvoice {name}` is not documented in README.md"


def test_safeguarding_policy_is_checked(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text('[safeguarding]\nwithhold = "note"\n')
    with pytest.raises(KilvoiceError) as err:
        load_pipeline(p)
    assert err.value.code == "K103" and 'withhold = "statement" (the default) or "conversation"' in err.value.message
    p.write_text('[safeguarding]\nwithhold = "conversation"\n')
    assert load_pipeline(p)["safeguarding"] == {"withhold": "conversation"}
    p.write_text('[project]\nname = "x"\n')
    assert load_pipeline(p)["safeguarding"] == {"withhold": "statement"}


def _effective(config: dict, section: str) -> tuple[str, dict]:
    """A section's stage and every setting it runs with: the file's (defaults filled), else the stage's own."""
    import inspect

    from kilvoice.topics import ThemeStage

    name, settings = stage_settings(config, section)
    params = inspect.signature(registry.get(name)).parameters
    own = {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}
    if section == "topics":
        own.update(ThemeStage.DEFAULTS)
    return name, {**own, **settings}


def test_a_pipeline_file_that_leaves_sections_out_gets_the_main_jobs_stages(tmp_path):
    """config.DEFAULTS promise what pipelines/big-conversation.toml runs, stage and settings, but the
    council's own frameworks and the report's formats (the stop check's smoke file names only [project]
    and [inputs], and ran with stance cues.v1 while the main job read cues.v2)."""
    main_job = load_pipeline(REPO / "pipelines" / "big-conversation.toml")
    bare = tmp_path / "bare.toml"
    bare.write_text('[project]\nname = "bare"\n\n[inputs]\npaths = []\n', encoding="utf-8")
    resolved = load_pipeline(bare)
    for section in ("ingest", "redact", "segment", "embed", "topics", "map", "report"):
        name, settings = _effective(main_job, section)
        bare_name, bare_settings = _effective(resolved, section)
        assert bare_name == name, section
        for key in set(main_job[section]) - {"stage", "frameworks", "formats"}:
            assert bare_settings.get(key) == settings[key], (section, key)
