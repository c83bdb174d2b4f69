"""The live server the browser tests use answers requests that arrive together, as a browser sends them."""

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from tests.factories import CompanyFactory, HREditorFactory, PostingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_requests_arriving_together_are_all_answered(live_server):
    """An HR editor's form pages (each in a transaction), searches and view counts (writes), eight at a time."""
    company = CompanyFactory()
    postings = PostingFactory.create_batch(3, company=company)
    client = Client()
    client.force_login(HREditorFactory(companies=[company]))
    headers = {"Cookie": f"sessionid={client.cookies['sessionid'].value}", "User-Agent": "Mozilla/5.0 Chrome/140"}

    def request(n):
        kind = n % 3
        if kind == 0:
            path, data = f"/admin/jobs/posting/add/?visit={n}", None
        elif kind == 1:
            path, data = f"/en/?q=word{n}", None
        else:
            path, data = f"{postings[n % len(postings)].get_absolute_url()}seen", b""
        with urllib.request.urlopen(urllib.request.Request(live_server.url + path, data, headers)) as response:
            return response.status

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(request, range(90)))

    assert set(answers) == {200, 204}
