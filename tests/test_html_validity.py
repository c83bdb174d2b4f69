"""The W3C Nu validator (the npm package vnu-jar: `npm ci --prefix frontend`; needs Java) finds no error on public pages."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PostingFactory, TagFactory

VNU = Path(__file__).resolve().parent.parent / "frontend" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("java"), reason="Java is not installed (apt-get install default-jre-headless)"),
    pytest.mark.skipif(not VNU.exists(), reason="The Nu validator is not installed (npm ci --prefix frontend)"),
]


def nu_errors(pages, folder):
    """{page name: [error messages]} for the pages' HTML, validated in one run of the Nu validator."""
    files = {}
    for name, html in pages.items():
        path = folder / f"{len(files)}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *[str(folder / file) for file in files],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = {}
    for message in json.loads(result.stderr)["messages"]:
        errors.setdefault(files[message["url"].rsplit("/", 1)[-1]], []).append(
            f"{message.get('lastLine')}: {message['message']}"
        )
    return errors


def test_public_pages_are_valid_html(client, tmp_path):
    tag = TagFactory(slug="backend")
    pages = {}
    for code, _name in settings.LANGUAGES:
        live = PostingFactory(language=code, tags=[tag], remote=True)
        closed = PostingFactory(language=code, expired=True)
        for name, path in {
            "listing": f"/{code}/",
            "filtered listing": f"/{code}/?workplace=remote&country=DE&tag=backend&q=engineer",
            "empty listing": f"/{code}/?country=JP",
            "posting": live.get_absolute_url(),
            "closed posting": closed.get_absolute_url(),
            "404": f"/{code}/jobs/no-such-job/",
        }.items():
            pages[f"{code} {name}"] = client.get(path).text

    assert nu_errors(pages, tmp_path) == {}
