"""Builds the PyFlink job's deployable pieces so that two machines produce the same bytes.

    python3 tools/build_job_zip.py vendor            writes app/dep/ (boto3, for Kafka stacks)
    python3 tools/build_job_zip.py zip OUT [--kafka] writes a zip of the job (Kafka: with dep/)

`pip install --target` alone is not reproducible: it writes console scripts (bin/jp.py) whose
shebang holds the installing interpreter's absolute path, RECORD files listing them, and byte
code. Vendoring here installs without byte code and keeps only the importable packages. The zip
has sorted entries, one fixed timestamp and fixed permissions. Exit 2: bad usage.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app"
# The job's files in the zip; dep/ is added for Kafka stacks.
JOB_FILES = ("main.py", "kafka_client.py", "lib/pyflink-dependencies.jar")
# Installer bookkeeping that names this machine's paths or interpreter, or is not needed to import.
DROPPED_METADATA = ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def vendor(requirements, target):
    """Installs the pinned `requirements` into `target` with nothing machine-specific left."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--no-compile", "--target", scratch, "-r", str(requirements)],
            check=True,
        )
        shutil.rmtree(Path(scratch) / "bin", ignore_errors=True)
        for path in Path(scratch).rglob("*"):
            if path.name in DROPPED_METADATA and path.parent.name.endswith(".dist-info"):
                path.unlink()
            elif path.name == "__pycache__":
                shutil.rmtree(path)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(scratch, target)


def write_zip(entries, out):
    """`entries`: {archive name: file}. Same names and bytes give the same zip."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_TIMESTAMP)
            # A jar is compressed already: stored, it costs no time to add.
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".jar") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name].read_bytes(), compresslevel=9)


def job_entries(app, kafka):
    missing = [name for name in JOB_FILES if not (app / name).is_file()]
    if missing:
        raise SystemExit(f"build_job_zip: {', '.join(missing)} missing in {app}: run tools/setup-runtime.sh first")
    entries = {name: app / name for name in JOB_FILES}
    if kafka:
        dep = app / "dep"
        if not dep.is_dir():
            vendor(app / "requirements.txt", dep)
        entries.update({path.relative_to(app).as_posix(): path for path in dep.rglob("*") if path.is_file()})
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=APP, help="the job directory (default: app/)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("vendor", help="write <app>/dep/ from <app>/requirements.txt")
    zip_command = commands.add_parser("zip", help="write the deployable zip")
    zip_command.add_argument("out", type=Path)
    zip_command.add_argument("--kafka", action="store_true", help="include dep/ (boto3): Kafka stacks only")
    args = parser.parse_args(argv)
    if args.command == "vendor":
        vendor(args.app / "requirements.txt", args.app / "dep")
    else:
        write_zip(job_entries(args.app, args.kafka), args.out)


if __name__ == "__main__":
    main()
