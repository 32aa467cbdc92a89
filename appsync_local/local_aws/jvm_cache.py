"""What DynamoDB Local's JVM keeps between runs, in a folder beside its jar: the compiled loopback launcher, a
class path the JVM can share class data from, and that class data.

Most of the JVM's start is loading, verifying and linking DynamoDB Local's few thousand classes. Java's
class-data sharing keeps them in an archive, recorded as one JVM exits (`-XX:ArchiveClassesAtExit`) and mapped by
the next (`-XX:SharedArchiveFile`): the JVM then answers its first request in about half the time and CPU, and
runs the same code afterwards (the JIT is unchanged). Java refuses to record with a directory on the class path,
and DynamoDB Local's jar names its own folder (`.`) in its manifest, as the launcher's compiled class is a folder:
so the JVM runs from a copy of the jar without that manifest entry, its libraries named one by one, and the
launcher packed into a jar.

The folder's name is a digest of the launcher's source, the `java` and the jar (their paths, sizes and times),
so a new Java or DynamoDB Local gets a new folder. A JVM whose archive does not fit (a Java updated in place)
runs without it, as Java checks the archive before using it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

from appsync_local.local_aws.errors import LocalAwsError

LAUNCHER_SOURCE = Path(__file__).with_name("LoopbackDynamoDBLocal.java")
LAUNCHER_CLASS = LAUNCHER_SOURCE.stem
CACHE_FOLDER = ".appsync-local-launcher"
LAUNCHER_JAR = "launcher.jar"
CLASS_PATH_FILE = "class-path.txt"
ARCHIVE = "dynamodb-local.jsa"
_COMPILE_TIMEOUT_SECONDS = 300


def _fingerprint(path: Path) -> bytes:
    real = os.path.realpath(path)
    stat = os.stat(real)
    return f"{real}:{stat.st_size}:{stat.st_mtime_ns}".encode()


def cache_folder(java: str, jar: Path) -> Path:
    """The folder for this launcher source, `java` and jar, made (the launcher compiled) on first use."""
    digest = hashlib.sha256(
        LAUNCHER_SOURCE.read_bytes() + _fingerprint(Path(java)) + _fingerprint(jar)
    ).hexdigest()[:16]
    folder = jar.parent.parent / CACHE_FOLDER / digest
    if (folder / CLASS_PATH_FILE).is_file():
        return folder
    building = folder.with_name(f"{digest}.{os.getpid()}.{threading.get_ident()}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    try:
        _compile_launcher(java, jar, building)
        class_path = _copy_jar_without_class_path(jar, building / jar.name)
        (building / CLASS_PATH_FILE).write_text(
            "\n".join([str(folder / jar.name), *class_path, str(folder / LAUNCHER_JAR)])
        )
        with contextlib.suppress(OSError):  # another process made it first
            os.replace(building, folder)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


def class_path(folder: Path) -> str:
    """The JVM's class path: the jar's copy, its libraries, the launcher (files only, as class-data sharing needs)."""
    return os.pathsep.join((folder / CLASS_PATH_FILE).read_text().splitlines())


def _compile_launcher(java: str, jar: Path, building: Path) -> None:
    classes = building / "classes"
    # javac through the running Java's own compiler module: a JRE that ships it (Debian's does) needs no JDK.
    command = [java, "--module", "jdk.compiler/com.sun.tools.javac.Main", "-nowarn"]
    command += ["-d", str(classes), "-cp", str(jar), str(LAUNCHER_SOURCE)]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_COMPILE_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LocalAwsError(f"could not compile {LAUNCHER_SOURCE.name} with {java}: {exc}") from exc
    if result.returncode != 0:
        raise LocalAwsError(
            f"{java} could not compile {LAUNCHER_SOURCE.name}, which keeps DynamoDB Local on loopback "
            f"(it needs Java's jdk.compiler module: install a JDK 17, e.g. openjdk-17-jdk-headless): "
            f"{(result.stderr or result.stdout).strip()[:500]}"
        )
    with zipfile.ZipFile(building / LAUNCHER_JAR, "w") as launcher:
        for compiled in sorted(classes.rglob("*.class")):
            launcher.write(compiled, compiled.relative_to(classes).as_posix())
    shutil.rmtree(classes)


def _folded(line: str) -> bytes:
    """A manifest line as the JAR format writes it: 72 bytes at most, continued on lines starting with a space."""
    data = line.encode("utf-8")
    parts = [data[:72]] + [b" " + data[start : start + 71] for start in range(72, len(data), 71)]
    return b"".join(part + b"\r\n" for part in parts)


def _copy_jar_without_class_path(jar: Path, copy: Path) -> list[str]:
    """Copy `jar` without its manifest's Class-Path; return that Class-Path's jars, as absolute paths."""
    with zipfile.ZipFile(jar) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        manifest = source.read("META-INF/MANIFEST.MF").decode("utf-8")
        unfolded = re.sub(r"\r?\n ", "", manifest)  # continuation lines start with one space
        entries = [
            entry
            for line in unfolded.splitlines()
            if line.startswith("Class-Path:")
            for entry in line.split()[1:]
        ]
        kept = b"".join(
            _folded(line) for line in unfolded.splitlines() if line and not line.startswith("Class-Path:")
        )
        for item in source.infolist():
            data = kept + b"\r\n" if item.filename == "META-INF/MANIFEST.MF" else source.read(item)
            target.writestr(item, data)
    # The manifest's folders (`.`, the jar's own) and missing files have nothing the JVM needs.
    return [
        str(jar.parent / entry)
        for entry in entries
        if entry.endswith(".jar") and (jar.parent / entry).is_file()
    ]
