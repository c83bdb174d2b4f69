import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_TESTS = Path(__file__).parent

# Playwright's sync API runs an event loop in the test thread from the first browser test to the
# end of the session. While it runs, Django takes the database calls made in that thread (fixtures,
# factories) for calls from async code, and keeps their connections apart from the thread's own.
# So the calls are allowed around browser tests only, and browser tests run last: their
# transactional teardown closes the connections they opened, whereas a test run after them would
# leave one open and the test database could not be dropped ("being accessed by other users").
async_unsafe = pytest.MonkeyPatch()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.path.is_relative_to(BROWSER_TESTS))
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)")
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    async_unsafe.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        async_unsafe.undo()
