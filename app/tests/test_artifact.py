"""The deployable zip is the same bytes wherever it is built, and only Kafka stacks carry boto3."""

import hashlib
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

APP = Path(__file__).resolve().parent.parent
BUILD = APP.parent / "tools" / "build_job_zip.py"


def build_in_fresh_copy(parent, name, kafka):
    """Copies the job to <parent>/<name>/app (a different absolute path each time) and builds there."""
    app = Path(parent) / name / "app"
    for file in ("main.py", "kafka_client.py", "requirements.txt", "lib/pyflink-dependencies.jar"):
        (app / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(APP / file, app / file)
    out = Path(parent) / name / "job.zip"
    command = [sys.executable, str(BUILD), "--app", str(app), "zip", str(out)] + (["--kafka"] if kafka else [])
    subprocess.run(command, check=True)
    return out, app


class ArtifactTest(unittest.TestCase):
    def test_two_builds_in_different_directories_are_byte_identical(self):
        with tempfile.TemporaryDirectory() as tmp:
            for kafka in (False, True):
                with self.subTest(kafka=kafka):
                    first, first_app = build_in_fresh_copy(tmp, f"one-{kafka}", kafka)
                    second, _ = build_in_fresh_copy(tmp, f"elsewhere/two-{kafka}", kafka)
                    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
                    self.assertEqual(digest[0], digest[1])
                    with zipfile.ZipFile(first) as archive:
                        names = archive.namelist()
                        self.assertEqual(names, sorted(names))
                        self.assertTrue({"main.py", "kafka_client.py", "lib/pyflink-dependencies.jar"} <= set(names))
                        self.assertEqual("dep/boto3/__init__.py" in names, kafka)
                        self.assertFalse([n for n in names if n.startswith("dep/bin/") or "__pycache__" in n])
                        for name in names:
                            if not name.endswith(".jar"):
                                self.assertNotIn(str(first_app.parent).encode(), archive.read(name), name)


if __name__ == "__main__":
    unittest.main()
