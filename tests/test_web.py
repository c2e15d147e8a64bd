"""The web app through Starlette's TestClient on a real SQLite store: roles, CSRF, escaping, upload
limits, JSON twins, decisions. The analysis run here is seeded (no BERTopic); the browser test runs
the real pipeline."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from kilvoice.errors import KilvoiceError
from kilvoice.records import Assignment, Link, Theme
from kilvoice.review import review_run
from kilvoice.store import open_store
from kilvoice.web import Settings, create_app
from tests.web_helpers import csrf, login, make_users, notes_csv

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture()
def project(tmp_path):
    make_users(tmp_path)
    return tmp_path


@pytest.fixture()
def client(project):
    with TestClient(create_app(project, Settings(max_upload_mb=20))) as c:
        yield c


def upload(client, data: bytes, name: str = "notes.csv", **form):
    token = csrf(client, "/upload")
    fields = {"csrf_token": token, "personal_data_ack": "1", **form}
    return client.post("/upload", data=fields, files={"files": (name, data, "text/csv")},
                       headers={"accept": "application/json"})


def seed_run(project, script_text: bool = True, possible: bool = False, stances: tuple = ({}, {})) -> None:
    """A finished run over the stored conversations: two themes, one with a hostile statement."""
    with open_store(project) as store:
        convs = [c["id"] for c in store.conversations("ok")]
        statements = []
        with store.transaction() as db:
            for i, cid in enumerate(convs):
                text = SCRIPT + " buses are too rare" if (script_text and i == 0) else f"the park is lovely {i}"
                sid = f"{cid}-u0-s0"
                db.execute("INSERT OR REPLACE INTO statements (id, conversation_id, utterance_idx, idx, text, text_hash)"
                           " VALUES (?,?,0,0,?,?)", (sid, cid, text, f"h{i}"))
                statements.append(sid)
        store.start_run("r1", "p.toml")
        half = len(statements) // 2
        themes = [Theme("T01", "Buses", size=half, n_conversations=half, representative=statements[:half],
                        stance=dict(stances[0])),
                  Theme("T02", "Parks", size=len(statements) - half, n_conversations=len(statements) - half,
                        representative=statements[half:], stance=dict(stances[1]))]
        assignments = [Assignment(s, "T01" if k < half else "T02", 1.0 - k / 100) for k, s in enumerate(statements)]
        links = [Link("theme", "T01", "keep-it-local", "P1", 0.5, statements[:1], "similar")]
        if possible:
            links.append(Link("theme", "T02", "keep-it-local", "P2", 0.4, statements[-1:], "weak", "possible"))
        themes, assignments, links, report = review_run(store, "r1", themes, assignments, links)
        store.save_results("r1", themes, assignments, links, [])
        measured = {"T01": {"jaccard": 0.41, "size": half}, "T02": {"jaccard": 0.9, "size": len(statements) - half}}
        store.finish_run("r1", {"run_id": "r1", "review": report, "topics": {"theme_stability": measured}})


def test_roles_and_own_uploads_only(client):
    login(client, "vol")
    assert upload(client, notes_csv(3)).status_code == 200
    for path in ("/themes", "/themes.json", "/runs", "/decisions", "/frameworks", "/report", "/admin/users",
                 "/review/redactions", "/decisions/export.csv"):
        assert client.get(path, follow_redirects=False).status_code == 403, path
    assert client.get("/themes.json").json() == {"error": "This page is for officers. Ask an admin if you need access."}
    login(client, "vol2")
    assert client.get("/uploads/1").status_code == 403
    assert client.get("/uploads/1.json").status_code == 403
    assert client.get("/uploads.json").json() == {"uploads": []}
    login(client, "off")
    assert client.get("/uploads/1.json").json()["original_name"] == "notes.csv"
    assert client.get("/admin/users").status_code == 403
    login(client, "adm")
    assert client.get("/admin/users.json").status_code == 200
    client.cookies.clear()
    assert client.get("/themes", follow_redirects=False).headers["location"] == "/login?next=/themes"
    assert client.get("/themes.json").status_code == 401


def test_csrf_missing_or_wrong_is_403(client, project):
    r = client.post("/login", data={"name": "vol", "password": "vol-password-1"})
    assert r.status_code == 403
    login(client, "off")
    for path, data in (("/decisions", {"kind": "rename", "theme_id": "T01", "title": "x"}), ("/runs", {}),
                       ("/logout", {})):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "0" * 64}).status_code == 403, path
    login(client, "vol")
    r = client.post("/upload", data={"personal_data_ack": "1"}, files={"files": ("a.csv", notes_csv(2), "text/csv")})
    assert r.status_code == 403
    with open_store(project) as store:
        assert store.db.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 0
        assert store.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 0


def test_cookie_flags_and_default_secret_refused(project):
    with TestClient(create_app(project), base_url="https://testserver") as c:
        token = csrf(c)
        r = c.post("/login", data={"name": "off", "password": "officer-pass", "csrf_token": token},
                   follow_redirects=False)
        cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("kv_session=")][0].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    with pytest.raises(KilvoiceError) as e:
        create_app(project, Settings(secret_key="changeme"))
    assert e.value.code == "K805"
    assert (project / "web_secret.key").stat().st_mode & 0o077 == 0


def test_script_in_a_note_is_rendered_as_text(client, project):
    login(client, "vol")
    data = f'id,text,area\nS1,"{SCRIPT} buses are too rare",Northgate\nS2,the park is lovely,Ryecroft\n'.encode()
    assert upload(client, data, consent_to_quote="yes").json()["uploads"][0]["result"]["notes_added"] == 2
    seed_run(project)
    login(client, "off")
    for tid in ("T01", "T02"):
        page = client.get(f"/themes/{tid}")
        assert page.status_code == 200
        assert "<script>alert" not in page.text
    pages = client.get("/themes/T01").text + client.get("/themes/T02").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in pages
    data = client.get("/themes/T01.json").json()["statements"] + client.get("/themes/T02.json").json()["statements"]
    assert any(SCRIPT in s["text"] for s in data)  # JSON carries the text; its content type stops execution
    assert client.get("/themes/T01.json").headers["content-type"].startswith("application/json")


def test_upload_50mb_over_the_limit_is_refused_and_nothing_stored(client, project):
    login(client, "vol")
    token = csrf(client, "/upload")
    big = b"a" * (70 * 1024 * 1024)  # 50 MB over the 20 MB limit
    r = client.post("/upload", data={"csrf_token": token, "personal_data_ack": "1"},
                    files={"files": ("big.csv", big, "text/csv")})
    assert r.status_code == 413 and "20 MB limit" in r.text
    with open_store(project) as store:
        assert store.db.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 0
        assert store.conversations(None) == []
    assert not any(p.is_file() for p in (project / "uploads").rglob("*")) if (project / "uploads").exists() else True


def test_chunked_upload_over_the_limit_is_refused(project):
    with TestClient(create_app(project, Settings(max_upload_mb=1))) as c:
        login(c, "vol")
        token = csrf(c, "/upload")
        boundary = "kvboundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.csv\"\r\n"
                "Content-Type: text/csv\r\n\r\n").encode()

        def body():  # no Content-Length: the middleware counts as it reads
            yield head
            for _ in range(3 * 16):
                yield b"b" * 65536
            yield f"\r\n--{boundary}--\r\n".encode()

        r = c.post("/upload", content=body(), headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        assert r.status_code == 413
    with open_store(project) as store:
        assert store.db.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 0


def test_bad_types_and_path_traversal_names(client, project):
    login(client, "vol")
    r = upload(client, b"MZ\x90\x00", name="tool.exe")
    assert r.status_code == 400 and "not accepted" in r.text
    r = upload(client, notes_csv(2), name="../../../etc/evil.csv")
    assert r.status_code == 200
    stored = r.json()["uploads"][0]["stored_name"]
    assert stored.startswith("uploads/u1/") and ".." not in stored and stored.endswith("-evil.csv")
    assert (project / stored).resolve().is_relative_to((project / "uploads").resolve())


def test_json_twins_and_decisions(client, project):
    login(client, "vol")
    upload(client, notes_csv(6), consent_to_quote="yes")
    seed_run(project, script_text=False)
    login(client, "off")
    themes = client.get("/themes.json").json()
    assert [t["id"] for t in themes["themes"]] == ["T01", "T02"] and themes["run_id"] == "r1"
    assert [t["holds"] for t in themes["themes"]] == [{"jaccard": 0.41, "verdict": "loose"},
                                                     {"jaccard": 0.9, "verdict": "holds"}]
    assert "loose: check it" in client.get("/themes").text
    assert "Loose (0.41): refitted" in client.get("/themes/T01").text
    theme = client.get("/themes/T01.json").json()
    scores = [s["score"] for s in theme["statements"]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    token = csrf(client, "/themes/T01")
    r = client.post("/decisions", data={"csrf_token": token, "kind": "rename", "theme_id": "T01",
                                        "title": "Evening buses", "reason": "clearer", "next": "/themes/T01"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/themes/T01"
    assert "Evening buses" in client.get("/themes").text
    r = client.post("/decisions", data={"csrf_token": token, "kind": "merge", "theme_id": "T02", "into": "T01"},
                    headers={"accept": "application/json"})
    assert r.json()["review"]["applied"][-1] == {"id": 2, "kind": "merge", "theme_id": "T02", "into": "T01"}
    themes = client.get("/themes.json").json()["themes"]
    assert [(t["id"], t["size"], t["holds"]) for t in themes] == [("T01", 6, None)]  # the merge voids the measure
    r = client.post("/decisions", data={"csrf_token": token, "kind": "link", "source_kind": "theme", "source_id": "T01",
                                        "framework_id": "keep-it-local", "item_id": "P1", "accepted": "0"})
    assert client.get("/themes/T01.json").json()["theme"]["links"] == []
    r = client.post("/decisions", data={"csrf_token": token, "kind": "merge", "theme_id": "T01", "into": "T01"})
    assert r.status_code == 400 and "K802" in r.text
    log = client.get("/decisions.json").json()["decisions"]
    assert [(d["kind"], d["user"]) for d in log] == [("rename", "off"), ("merge", "off"), ("link", "off")]
    csv_text = client.get("/decisions/export.csv").text
    assert csv_text.splitlines()[0] == "id,created_at,user,kind,run_id,reason,payload" and "clearer" in csv_text
    assert json.loads(client.get("/decisions/export.json").text)[0]["payload"]["title"] == "Evening buses"
    assert client.get("/runs.json").json()["runs"][0]["id"] == "r1"
    assert "report.html" in client.get("/report").text
    report = client.get("/report/report.html")
    assert report.status_code == 200 and "Evening buses" in report.text
    assert client.get("/report/..%2Fkilvoice.sqlite").status_code == 404


def test_quote_needs_consent(client, project):
    login(client, "vol")
    upload(client, notes_csv(2), consent_to_quote="no")
    with open_store(project) as store:
        store.db.execute("UPDATE conversations SET consent_to_quote=0")
    seed_run(project, script_text=False)
    login(client, "off")
    sid = client.get("/themes/T01.json").json()["statements"][0]["id"]
    token = csrf(client, "/themes/T01")
    r = client.post("/decisions", data={"csrf_token": token, "kind": "quote", "statement_id": sid, "publishable": "1"})
    assert r.status_code == 400 and "K811" in r.text


def test_cli_users_add_and_review_export(tmp_path):
    from click.testing import CliRunner

    from kilvoice.cli import main
    from kilvoice.web.auth import authenticate

    runner = CliRunner()
    r = runner.invoke(main, ["users", "add", "alice", "--role", "admin", "--project", str(tmp_path), "--password-stdin"],
                      input="a-long-password\n")
    assert r.exit_code == 0 and r.output == "added admin alice\n"
    r = runner.invoke(main, ["users", "add", "alice", "--role", "admin", "--project", str(tmp_path), "--password-stdin"],
                      input="a-long-password\n")
    assert r.exit_code == 1 and "Error: K806 user 'alice' already exists" in r.output
    r = runner.invoke(main, ["users", "add", "bob", "--role", "officer", "--project", str(tmp_path), "--password-stdin"],
                      input="short\n")
    assert r.exit_code == 1 and "K808 password must be at least 8 characters" in r.output
    with open_store(tmp_path) as store:
        assert authenticate(store, "alice", "a-long-password")["role"] == "admin"
        assert authenticate(store, "alice", "wrong-password") is None
        assert store.db.execute("SELECT password_hash FROM users").fetchone()[0].startswith("$argon2id$")
    r = runner.invoke(main, ["review", "export", "--project", str(tmp_path), "--format", "csv"])
    assert r.exit_code == 0 and r.output.splitlines() == ["id,created_at,user,kind,run_id,reason,payload"]
    r = runner.invoke(main, ["review", "decide", "rename", "theme_id=T01", "title=x", "--by", "o",
                             "--project", str(tmp_path)])
    assert r.exit_code == 1 and "K804 no finished analysis run" in r.output


def test_a_possible_link_is_shown_and_accepting_makes_it_a_link(client, project):
    login(client, "vol")
    upload(client, notes_csv(4), consent_to_quote="yes")
    seed_run(project, script_text=False, possible=True)
    login(client, "off")
    theme = client.get("/themes/T02.json").json()["theme"]
    assert theme["links"] == [] and [l["item_id"] for l in theme["possible_links"]] == ["P2"]
    assert "Possible link" in client.get("/themes/T02").text
    rows = {(r["source_id"], r["item_id"]): r["status"] for r in client.get("/frameworks.json").json()["links"]}
    assert rows[("T02", "P2")] == "possible" and rows[("T01", "P1")] == "link"
    token = csrf(client, "/themes/T02")
    client.post("/decisions", data={"csrf_token": token, "kind": "link", "source_kind": "theme", "source_id": "T02",
                                    "framework_id": "keep-it-local", "item_id": "P2", "accepted": "1"})
    theme = client.get("/themes/T02.json").json()["theme"]
    assert [l["item_id"] for l in theme["links"]] == ["P2"] and theme["possible_links"] == []
    assert theme["links"][0]["rationale"].startswith("accepted by officer; weak")  # the possible link, accepted


def test_theme_pages_show_the_no_clear_stance_count_of_a_cues_v2_run(client, project):
    login(client, "vol")
    upload(client, notes_csv(6), consent_to_quote="yes")
    seed_run(project, script_text=False, stances=({"strength": 1, "problem": 1, "aspiration": 0, "unstated": 1},
                                                  {"strength": 2, "problem": 0, "aspiration": 1, "unstated": 0}))
    login(client, "off")
    listing = client.get("/themes").text
    assert "Strengths / problems / aspirations / no clear stance" in listing
    assert "1 / 1 / 0 / 1" in listing and "2 / 0 / 1 / 0" in listing
    assert "aspirations 0, no clear stance 1." in client.get("/themes/T01").text
    assert client.get("/themes/T01.json").json()["theme"]["stance"]["unstated"] == 1


def test_theme_pages_of_a_cues_v1_run_show_three_counts(client, project):
    login(client, "vol")
    upload(client, notes_csv(6), consent_to_quote="yes")
    seed_run(project, script_text=False, stances=({"strength": 2, "problem": 1, "aspiration": 0},
                                                  {"strength": 2, "problem": 0, "aspiration": 1}))
    login(client, "off")
    listing = client.get("/themes").text
    assert "no clear stance" not in listing and "2 / 1 / 0" in listing
    assert "no clear stance" not in client.get("/themes/T01").text
