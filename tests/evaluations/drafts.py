"""Downloading a draft's PDF as a reader does: the first request asks the background worker
for it and shows its progress; the worker renders it (tests run tasks with the immediate
back end once the request's transaction commits); the next request sends the stored bytes."""

from django.test import TestCase


def download_draft_pdf(client, url):
    with TestCase.captureOnCommitCallbacks(execute=True):
        waiting = client.get(url)
    assert waiting.status_code == 202, waiting.status_code
    assert "being prepared in the background" in waiting.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response
