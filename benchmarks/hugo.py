"""Hugo for the benchmark: installed from Debian when missing, and a minimal site like ours."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CONFIG = """\
baseURL = "https://petitions.example.org/"
languageCode = "en-nz"
title = "Synthetic Petitions"
disableKinds = ["taxonomy", "term"]
paginate = 20
[outputFormats.thanks]
mediaType = "text/html"
baseName = "thanks"
isHTML = true
[outputs]
page = ["HTML", "thanks"]
"""
SINGLE = """\
<!DOCTYPE html><html lang="en-NZ"><head><meta charset="utf-8">
<title>{{ .Title }} — {{ .Site.Title }}</title></head>
<body><main id="main"><p>To: {{ .Params.target }}</p><h1>{{ .Title }}</h1>
{{ .Params.ask | markdownify }}
<p><strong>{{ .Params.imported.count }}</strong> signatures</p>
<h2>Why is this important?</h2>{{ .Content }}
<ol>{{ range $k, $v := .Params.imported.milestones }}
<li>{{ $k }} signatures reached <time>{{ $v }}</time></li>{{ end }}</ol>
</main></body></html>
"""
THANKS = """\
<!DOCTYPE html><html lang="en-NZ"><head><meta charset="utf-8">
<title>Thank you — {{ .Title }}</title></head>
<body><main id="main"><h1>Thank you for signing</h1>
<p><a href="{{ .RelPermalink }}">{{ .Title }}</a></p></main></body></html>
"""
LIST = """\
<!DOCTYPE html><html lang="en-NZ"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title>
</head><body><main id="main"><ul>
{{ range (.Paginate .RegularPagesRecursive).Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.target }}
{{ .Params.imported.count }}</li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}</main></body></html>
"""


def ensure_hugo() -> None:
    """Install Debian's hugo when it is not on PATH (the benchmark runs as root)."""
    if shutil.which("hugo"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "hugo"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True)


def write_hugo_site(folder: Path, content: Path) -> None:
    """A Hugo site whose pages are the corpus's petition files, with a minimal layout."""
    layouts = folder / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
    (layouts / "single.html").write_text(SINGLE, encoding="utf-8")
    (layouts / "single.thanks.html").write_text(THANKS, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    shutil.copytree(content / "petitions", folder / "content" / "petitions")
