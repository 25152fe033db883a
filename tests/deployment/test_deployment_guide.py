"""The deployment guide and its reference files: every environment variable the product reads
is documented, the example environment names only real variables, the systemd units start
real commands, and the reference nginx config is valid to nginx itself."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deployment.production import (
    EXAMPLE_ENVIRONMENT,
    ROOT,
    read_example_environment,
)

GUIDE = ROOT / "docs" / "deployment.md"
NGINX_CONFIG = ROOT / "deploy" / "nginx" / "okryu.conf"
SYSTEMD_UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
# Where the product reads its environment: the settings and the package, not its tests.
PRODUCT_SOURCES = ("config", "okryu", "manage.py")
# config/settings/environment.py's readers; the secret readers also read <NAME>_FILE.
READERS = {"read_text", "read_list", "read_flag", "read_int", "read_optional_int"}
SECRET_READERS = {"read_secret", "read_secret_list", "read_issuer_keys"}
ENVIRONMENT_CALLS = {"os.environ.get", "os.environ.setdefault", "os.getenv"}
# A variable in the guide's tables: `NAME` at the start of a row.
DOCUMENTED = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`", re.MULTILINE)


def _product_files() -> list[Path]:
    files: list[Path] = []
    for source in PRODUCT_SOURCES:
        path = ROOT / source
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        files += [
            candidate
            for candidate in candidates
            if "tests" not in candidate.parts and "migrations" not in candidate.parts
        ]
    return files


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _names_read(node: ast.AST, path: Path) -> list[str]:
    """Return the variables that one call or subscript reads, or [] when it reads none."""
    if isinstance(node, ast.Subscript) and _dotted(node.value) == "os.environ":
        argument = node.slice
        readers: tuple[str, ...] = ("",)
    elif isinstance(node, ast.Call) and node.args:
        function = _dotted(node.func)
        reader = function.removeprefix("environment.")
        if function in ENVIRONMENT_CALLS or reader in READERS:
            readers = ("",)
        elif reader in SECRET_READERS:
            readers = ("", "_FILE")
        else:
            return []
        argument = node.args[0]
    else:
        return []
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value + suffix for suffix in readers]
    # Only the readers themselves take the name as an argument; elsewhere a name must be
    # written out, so that this test (and a reader of the code) can see it.
    assert path.name == "environment.py", f"{path}: a variable read by a computed name"
    return []


def variables_read_by_the_product() -> set[str]:
    names: set[str] = set()
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names.update(_names_read(node, path))
    return names


def variables_documented() -> set[str]:
    return set(DOCUMENTED.findall(GUIDE.read_text()))


def test_the_scan_finds_the_variables_it_must():
    found = variables_read_by_the_product()

    assert {
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "OKRYU_CARD_ISSUER_KEYS_FILE",
        "DATABASE_URL",
        "HOST",
        "DJANGO_SETTINGS_MODULE",
        "OKRYU_TEST_DATABASE_URL",
    } <= found


def test_every_variable_the_product_reads_is_in_the_deployment_guide():
    missing = variables_read_by_the_product() - variables_documented()

    assert missing == set()


def test_the_deployment_guide_documents_no_variable_the_product_does_not_read():
    stale = variables_documented() - variables_read_by_the_product()

    assert stale == set()


def test_the_example_environment_sets_only_variables_the_product_reads():
    unknown = set(read_example_environment()) - variables_read_by_the_product()

    assert unknown == set()
    assert str(EXAMPLE_ENVIRONMENT.relative_to(ROOT)) in GUIDE.read_text()


@pytest.mark.parametrize("unit", SYSTEMD_UNITS, ids=lambda unit: unit.name)
def test_each_systemd_unit_runs_a_command_of_the_product_with_the_guides_environment(
    unit,
):
    lines = dict(
        line.split("=", 1)
        for line in unit.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    command = lines["ExecStart"].split()

    assert command[:2] == ["/opt/okryu/.venv/bin/python", "manage.py"]
    assert list((ROOT / "okryu").glob(f"*/management/commands/{command[2]}.py"))
    assert lines["EnvironmentFile"] == "/etc/okryu/okryu.env"
    assert lines["WorkingDirectory"] == "/opt/okryu"
    assert unit.name in GUIDE.read_text()


def test_the_systemd_units_are_valid_to_systemd(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    # The units name the deployment's paths; point them at this checkout's interpreter.
    copies = []
    for unit in SYSTEMD_UNITS:
        copy = tmp_path / unit.name
        copy.write_text(
            unit.read_text().replace("/opt/okryu/.venv/bin/python", _python())
        )
        copies.append(str(copy))

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *copies],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )

    # systemd names the unit file in each problem it finds (an unknown key, a bad value).
    problems = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert problems == []


def _python() -> str:
    return str(ROOT / ".venv" / "bin" / "python")


def nginx_test_copy(folder: Path) -> Path:
    """Write a main nginx config that includes a copy of the reference one with its paths
    moved under ``folder`` and a fresh self-signed certificate; return the main file."""
    certificates = folder / "ssl"
    certificates.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=okryu.example",
            "-keyout", str(certificates / "privkey.pem"),
            "-out", str(certificates / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    site = (
        NGINX_CONFIG.read_text()
        .replace("/etc/ssl/okryu/", f"{certificates}/")
        .replace("/opt/okryu/", f"{ROOT}/")
        .replace("/var/lib/okryu/", f"{folder}/var/")
    )
    (folder / "var").mkdir()  # The state folder, which holds nginx's page cache.
    (folder / "okryu.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {folder}/access.log;\n"
        f"    client_body_temp_path {folder}/body;\n"
        f"    proxy_temp_path {folder}/proxy;\n"
        f"    include {folder}/okryu.conf;\n"
        "}\n"
    )
    return main


def test_the_reference_nginx_config_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed on this machine (Debian: nginx-light)")
    main = nginx_test_copy(tmp_path)

    result = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(main),
            "-e",
            str(tmp_path / "error.log"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
