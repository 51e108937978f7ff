"""Publishing and contributor tooling: the docs workflow, pre-commit, the Makefile targets, the link check."""

from __future__ import annotations

import http.server
import importlib.util
import re
import threading

import pytest
import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "docs.yml"


def load_yaml(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_workflow_tests_pull_requests_and_deploys_main():
    flow = load_yaml(WORKFLOW)
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    test, deploy = flow["jobs"]["test"], flow["jobs"]["deploy"]
    assert any(step.get("run", "").strip() == "bash .ci/run" for step in test["steps"])
    assert deploy["needs"] == "test"
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["permissions"]["contents"] == "write"
    assert any("make deploy" in step.get("run", "") for step in deploy["steps"])
    assert flow["permissions"]["contents"] == "read"  # only the deploy job may write


def test_ci_script_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make test\b", ci, re.M)
    assert "make test" in readme


def make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))


def test_makefile_has_the_documented_targets():
    assert {"install", "serve", "build", "test", "bench", "deploy", "linkcheck"} <= make_targets()


def test_pre_commit_configuration_is_valid():
    config = load_yaml(ROOT / ".pre-commit-config.yaml")
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "nbstripout", "trailing-whitespace"} <= hooks
    for repo in config["repos"]:
        assert repo["repo"].startswith("https://") and repo["rev"], repo
    ruff_pin = re.search(r"^ruff==([\d.]+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    ruff_repo = next(r for r in config["repos"] if "ruff-pre-commit" in r["repo"])
    assert ruff_repo["rev"] == f"v{ruff_pin}", "pre-commit's ruff must be the version the tests use"


def test_pull_request_template_has_a_checklist():
    template = (ROOT / ".github" / "pull_request_template.md").read_text()
    assert template.count("- [ ]") >= 5


# --- the link check, against a server on this machine ---------------------------------------

def _linkcheck():
    spec = importlib.util.spec_from_file_location("linkcheck", ROOT / "scripts" / "linkcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        if self.path == "/no-head":
            self.send_response(405)
        else:
            self.send_response(200 if self.path.startswith("/ok") else 404)
        self.end_headers()

    def do_GET(self):
        self.send_response(200 if self.path in ("/ok", "/no-head") else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_linkcheck_reports_dead_links_as_a_table(tmp_path, local_server, capsys):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text(
        f'<a href="{local_server}/ok#part">ok</a> <a href="{local_server}/gone">gone</a>'
        f' <a href="{local_server}/no-head">HEAD refused, GET fine</a> <a href="../b/">internal</a>'
    )
    linkcheck = _linkcheck()
    assert set(linkcheck.external_links(site)) == {f"{local_server}/ok", f"{local_server}/gone", f"{local_server}/no-head"}
    status = linkcheck.main([str(site), "--timeout", "5"])
    out = capsys.readouterr().out
    assert status == 1
    assert "3 external links checked, 2 answer, 1 do not." in out
    assert f"| dead | {local_server}/gone | HTTP 404 | a/index.html |" in out


def test_linkcheck_without_network_reports_nothing(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    # port 9 on loopback: nothing listens there, so every link is unreachable, as with no network
    (site / "index.html").write_text('<a href="http://127.0.0.1:9/x">x</a> <a href="http://127.0.0.1:9/y">y</a>')
    assert _linkcheck().main([str(site), "--timeout", "2"]) == 2
    assert "no network?" in capsys.readouterr().out


def test_linkcheck_refuses_a_missing_site(tmp_path, capsys):
    with pytest.raises(SystemExit):
        _linkcheck().main([str(tmp_path / "nowhere")])
    assert "build the site first" in capsys.readouterr().err
