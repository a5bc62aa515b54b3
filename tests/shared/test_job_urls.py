"""The job URL key: the same posting, however it was linked, gives one key."""

import pytest

from app.shared.job_urls import job_url_key


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://boards.greenhouse.io/acme/jobs/123", "boards.greenhouse.io/acme/jobs/123"),
        ("https://boards.greenhouse.io/acme/jobs/123?gh_src=abc1",
         "boards.greenhouse.io/acme/jobs/123"),
        ("http://www.ACME.example/Jobs/42/#apply", "acme.example/Jobs/42"),
        ("https://jobs.lever.co/acme/5ac2?lever-source=LinkedIn&lever-origin=applied",
         "jobs.lever.co/acme/5ac2"),
        ("https://acme.example/careers?utm_source=x&utm_medium=y&jobId=7&ref=feed",
         "acme.example/careers?jobId=7"),
        ("https://acme.example/careers?b=2&a=1", "acme.example/careers?a=1&b=2"),
        ("https://acme.example:8443/jobs", "acme.example:8443/jobs"),
        ("https://acme.example:443/jobs", "acme.example/jobs"),
    ],
)  # fmt: skip
def test_tracking_fragment_case_and_slash_do_not_matter(url, key):
    assert job_url_key(url) == key


@pytest.mark.parametrize("url", [None, "", "not a url", "https://", "https://acme.example:99999/"])
def test_what_names_no_posting_has_no_key(url):
    assert job_url_key(url) is None
