"""Build and install the stand-in analysis plugin into the integration-test distribution.

The Maven `integ-test-zip` distribution ships only a few modules: it lacks analysis-common, so
the `pattern` tokenizer and the `asciifolding`, `porter_stem`, `synonym_graph` and
`common_grams` filters that the index definition (mappings/elastic.py) uses do not exist there.
The Java sources beside this module (es_analysis_plugin_java/) implement exactly those five
components, with the same names and settings, through Elasticsearch's stable plugin API,
wrapping the Lucene classes the real module wraps. They are compiled with the JDK's `javac`
against the distribution's own jars and copied into `plugins/`, so tests run the index
definition unchanged. Real deployments (docker-compose,
a cluster) have analysis-common and need none of this.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

SOURCES = Path(__file__).with_name("es_analysis_plugin_java")
PLUGIN_NAME = "imr-analysis"
COMPONENTS = {
    "org.elasticsearch.plugin.analysis.TokenizerFactory": {
        "pattern": "org.imrsearch.analysis.PatternTokenizerFactory",
    },
    "org.elasticsearch.plugin.analysis.TokenFilterFactory": {
        "asciifolding": "org.imrsearch.analysis.ASCIIFoldingFilterFactory",
        "porter_stem": "org.imrsearch.analysis.PorterStemFilterFactory",
        "synonym_graph": "org.imrsearch.analysis.SynonymGraphFilterFactory",
        "common_grams": "org.imrsearch.analysis.CommonGramsFilterFactory",
    },
}


def _java_files() -> list[Path]:
    return sorted(SOURCES.rglob("*.java"))


@cache
def _version() -> str:
    digest = hashlib.sha1()
    for path in _java_files():
        digest.update(path.read_bytes())
    return "p" + digest.hexdigest()[:8]


PLUGIN_VERSION = _version()


def needed(home: Path) -> bool:
    """True when the distribution lacks analysis-common (the Maven test zip does)."""
    return not (home / "modules" / "analysis-common").exists()


def install(home: Path, java_home: Path) -> None:
    """Compile the plugin against `home`'s jars and copy it into `home/plugins/`."""
    import json

    from devtools.esnode import ES_VERSION, NodeUnavailable

    if not needed(home):
        return
    javac = java_home / "bin" / "javac"
    if not javac.exists():
        found = shutil.which("javac")
        if found is None:
            raise NodeUnavailable(
                "javac (a JDK, not only a JRE) is needed to build the analysis plugin for the "
                "Maven test distribution: install openjdk-17-jdk"
            )
        javac = Path(found)
    lib = home / "lib"
    classpath = ":".join(
        str(p)
        for p in sorted(lib.glob("*.jar"))
        if p.name.startswith(("lucene-core", "lucene-analysis-common", "elasticsearch-plugin"))
    )
    with tempfile.TemporaryDirectory(prefix="imr-analysis-build-") as tmp:
        classes = Path(tmp) / "classes"
        classes.mkdir()
        proc = subprocess.run(
            [
                str(javac),
                "--release",
                "17",
                "-nowarn",
                "-cp",
                classpath,
                "-d",
                str(classes),
                *map(str, _java_files()),
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise NodeUnavailable("could not compile the analysis plugin:\n" + proc.stderr[-2000:])
        target = home / "plugins" / PLUGIN_NAME
        target.mkdir(parents=True, exist_ok=True)
        jar = target / f"{PLUGIN_NAME}-{PLUGIN_VERSION}.jar"
        _write_jar(classes, jar)
    (target / "named_components.json").write_text(json.dumps(COMPONENTS, indent=2) + "\n")
    (target / "stable-plugin-descriptor.properties").write_text(
        "\n".join(
            [
                "description=Stand-in pattern tokenizer, asciifolding, porter_stem, "
                "synonym_graph and common_grams filters for the integ-test distribution "
                "(IMR search tests)",
                f"version={PLUGIN_VERSION}",
                f"name={PLUGIN_NAME}",
                "java.version=17",
                f"elasticsearch.version={ES_VERSION}",
                "",
            ]
        )
    )
    for path in [target, *target.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _write_jar(classes: Path, jar: Path) -> None:
    """A jar is a zip with a manifest; no `jar` tool needed."""
    import zipfile

    with zipfile.ZipFile(jar, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
        for path in sorted(classes.rglob("*.class")):
            zf.write(path, path.relative_to(classes).as_posix())
