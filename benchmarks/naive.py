"""The naive baseline: one process, YAML + Python-Markdown + one Jinja2 template per file.

python benchmarks/naive.py CONTENT_DIR OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import markdown
import yaml
from markupsafe import Markup

PAGE = jinja2.Template(
    """<!DOCTYPE html><html lang="en-NZ"><head><meta charset="utf-8"><title>{{ p.title }}</title>
</head><body><main id="main"><p>To: {{ p.target }}</p><h1>{{ p.title }}</h1>{{ ask }}
<p><strong>{{ p.imported.count }}</strong> signatures</p><h2>Why is this important?</h2>{{ body }}
</main></body></html>""",
    autoescape=True,
)


def main(content: Path, out: Path) -> None:
    """Render every petition file in `content/petitions` to `out/petitions/<slug>/index.html`."""
    md = markdown.Markdown(extensions=["extra", "sane_lists"])
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted((content / "petitions").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(front, Loader=loader)
        ask = md.reset().convert(meta["ask"])
        html = md.reset().convert(body)
        page = PAGE.render(p=meta, ask=Markup(ask), body=Markup(html))
        target = out / "petitions" / path.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
