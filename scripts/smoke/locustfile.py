"""The load of scripts/smoke-production: people using the Salford demo through the real pages and
forms (sign-in form, CSRF token, the comment form's one-time submission token read from the page).

- 60% read: the programme dashboard and a session's workspace (as the facilitator, officer, lead
  and peer reviewer);
- 30% write: the lead saves answers; the peer reviewer posts comments;
- 10% download a draft self-evaluation PDF (rendered in the request).

Each request's time and outcome is recorded by kind (page, write, pdf, sign-in) and written as
JSON to SMOKE_RESULTS when the run ends; successful comment posts are counted so that the smoke
test can compare them with the rows in the database. Environment: DEMO_PASSWORD, SMOKE_RESULTS."""

import json
import os
import random
import re
import time
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PASSWORD = os.environ["DEMO_PASSWORD"]
PROGRAMME = "/programmes/caa-2009/"
# Session 1 (29 April 2009): the lead presents Safeguarding children (area 5); the peer
# reviewer, from the police, challenges both its areas (Health inequalities is area 1).
LEAD_WORKSPACE = "/sessions/1/areas/5/"
REVIEW_WORKSPACES = ["/sessions/1/areas/1/", "/sessions/1/areas/5/"]
DRAFT_PDF = "/self-evaluations/{pk}/pdf/"

results = {"requests": [], "comments_posted": 0, "answers_saved": 0}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    kind = name.split(":", 1)[0]
    results["requests"].append([kind, name, round(response_time, 1), status, exception is not None])


@events.test_stop.add_listener
def _write(environment, **kwargs):
    with open(os.environ["SMOKE_RESULTS"], "w") as file:
        json.dump(results, file)


class Forms(HTMLParser):
    """Every form of a page: its action and the fields a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "fields": {}, "choices": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                self._form["choices"].setdefault(attrs["name"], []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self._form["fields"][attrs["name"]] = attrs.get("value", "on")
            elif kind not in {"submit", "button"}:
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea] = ""
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["choices"][self._select] = []
        elif tag == "option" and self._select:
            self._form["choices"][self._select].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._form["fields"][self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def forms(html, action_pattern):
    parser = Forms()
    parser.feed(html)
    return [form for form in parser.forms if re.search(action_pattern, form["action"])]


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = None

    def on_start(self):
        page = self.client.get("/accounts/login/", name="sign-in: form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD},
            headers={"Referer": self.host + "/accounts/login/"},
            name="sign-in: post",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in: {response.status_code}")

    def post_form(self, page_url, form, name, **changes):
        data = {**form["fields"], **changes}
        return self.client.post(
            form["action"], data=data, headers={"Referer": self.host + page_url}, name=name, allow_redirects=False
        )


class Reader(Person):
    """60%: reads the dashboard and workspaces."""

    weight = 6

    def on_start(self):
        self.username = random.choice(["facilitator", "officer", "lead", "reviewer"])
        super().on_start()

    @task(2)
    def dashboard(self):
        self.client.get(PROGRAMME, name="page: dashboard")

    @task(3)
    def workspace(self):
        url = LEAD_WORKSPACE if self.username == "lead" else random.choice(REVIEW_WORKSPACES)
        self.client.get(url, name="page: workspace")


class Writer(Person):
    """30%: the lead saves answers, the peer reviewer posts comments, through the page's forms."""

    weight = 3

    def on_start(self):
        self.username = random.choice(["lead", "reviewer"])
        super().on_start()

    @task
    def write(self):
        if self.username == "lead":
            self.save_answer()
        else:
            self.post_comment()

    def form_on_page(self, url, action_pattern, link_pattern, what):
        """A form as a person without JavaScript reaches it: on the workspace page itself, or
        behind the page's link to it ("Answer this question", "Post a comment"). Returns the
        form and the URL of the page it was on."""
        page = self.client.get(url, name="page: workspace")
        found = forms(page.text, action_pattern)
        if not found:
            links = sorted(set(re.findall(r'href="([^"]*' + link_pattern + ')"', page.text)))
            if not links:
                raise RuntimeError(f"The workspace {url} has no {what} form, nor a link to one")
            url = random.choice(links)
            found = forms(self.client.get(url, name="page: form").text, action_pattern)
            if not found:
                raise RuntimeError(f"{url} has no {what} form")
        return random.choice(found), url

    def save_answer(self):
        form, page_url = self.form_on_page(LEAD_WORKSPACE, r"/answer/$", r"/answer/edit/", "answer")
        text_field = next(name for name in form["fields"] if name.endswith("text"))
        text = form["fields"][text_field].strip() or "Our answer."
        text = re.sub(r" \(revised under load \d+\)$", "", text) + f" (revised under load {random.randint(1, 999)})"
        response = self.post_form(page_url, form, "write: save answer", **{text_field: text})
        # 302: saved. 200: shown again (someone saved the same answer meanwhile): not lost, refused.
        if response.status_code == 302:
            results["answers_saved"] += 1

    def post_comment(self):
        form, url = self.form_on_page(random.choice(REVIEW_WORKSPACES), r"/comments/$", r"/comments/new/", "comment")
        kind = next((name for name in form["choices"] if name.endswith("kind")), None)
        text_field = next(name for name in form["fields"] if name.endswith("text"))
        changes = {text_field: f"A challenge under load, {random.randint(1, 10**9)}."}
        if kind:
            changes[kind] = random.choice([value for value in form["choices"][kind] if value])
        response = self.post_form(url, form, "write: post comment", **changes)
        if response.status_code == 302:
            results["comments_posted"] += 1


class Downloader(Person):
    """10%: downloads a draft self-evaluation's PDF. Where the draft's PDF is rendered by the
    worker, the page answers 202 with its progress until it is ready: asked again every second
    (at most 60 times), as the page's own polling does; "pdf: time to PDF" records the wait."""

    weight = 1
    username = "facilitator"

    @task
    def draft_pdf(self):
        url = DRAFT_PDF.format(pk=os.environ.get("SMOKE_DRAFT_PK", "3"))
        started = time.perf_counter()
        for _ in range(60):
            with self.client.get(url, name="pdf: draft", catch_response=True) as response:
                if response.status_code == 202:
                    response.success()
                elif response.status_code == 200 and not response.content.startswith(b"%PDF"):
                    response.failure("not a PDF")
            if response.status_code != 202:
                break
            time.sleep(1)
        if response.status_code == 200:
            events.request.fire(
                request_type="GET",
                name="pdf-wait: time to PDF",
                response_time=(time.perf_counter() - started) * 1000,
                response_length=len(response.content),
                response=response,
                exception=None,
                context={},
            )
