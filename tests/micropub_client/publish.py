"""Publishes to a running folio through two Micropub client libraries from PyPI, as
a writing app would: `micropub` (its Client creates a post, asks the configuration
and reads a post's source) and `entries`, the terminal client (create, source,
update, delete). Each step checks what folio promises; any failure exits 1.

Usage: python publish.py ENDPOINT TOKEN
(a folio without FOLIO_SITE_URL: a post's URL is then the API's, which this reads too)
"""

import sys
import webbrowser

import cli as entries  # the `entries` package's module
import micropub
import requests


class Noted(webbrowser.BaseBrowser):
    """entries opens each post it writes in a browser; here the URL is only noted."""

    def __init__(self):
        super().__init__("noted")
        self.urls = []

    def open(self, url, new=0, autoraise=True):
        self.urls.append(url)
        return True


def check(passed, what):
    print(("ok: " if passed else "FAILED: ") + what, flush=True)
    if not passed:
        sys.exit(1)


def main(endpoint, token):
    noted = Noted()
    webbrowser.register("noted", None, noted, preferred=True)

    client = micropub.Client(endpoint, token)
    # Raises PostNotCreated unless the answer is 201.
    client.create_post({"content": ["Written with the micropub client"], "category": ["clients"]})
    check(True, "micropub.Client.create_post: 201")
    config = client.get(params={"q": "config"}).json()
    check(config["media-endpoint"].endswith("/api/v1/micropub/media"), f"q=config names the media endpoint: {config}")

    entries.micropub_create(
        endpoint,
        token,
        "Written in **entries**.",
        {"name": "From the terminal", "category": ["cli"], "mp-slug": "from-the-terminal"},
    )
    url = noted.urls[-1]
    check(url.endswith("/from-the-terminal"), f"entries created the post at its Location {url}")
    source = entries.micropub_source(endpoint, token, url)
    properties = source["properties"]
    check(properties["content"] == ["Written in **entries**."], f"its source has the content: {properties}")
    check(properties["name"] == ["From the terminal"] and properties["category"] == ["cli"], "and its name and category")
    check("mp-slug" not in properties, "mp-slug is a command, not a property")
    check(client.get_post(url).json() == source, "micropub.Client.get_post reads the same source")

    entries.micropub_update(
        endpoint,
        token,
        url,
        "Edited in entries.",
        {"name": "From the terminal, edited", "category": ["cli", "edited"], "mp-extra-head": "", "mp-extra-body": ""},
    )
    properties = entries.micropub_source(endpoint, token, url)["properties"]
    check(properties["content"] == ["Edited in entries."], f"entries updated the content: {properties}")
    check(properties["name"] == ["From the terminal, edited"], "and the name")
    check(properties["category"] == ["cli", "edited"], "and the categories")
    public = requests.get(url)
    check(public.status_code == 200 and public.json()["title"] == "From the terminal, edited", "the public reads it")

    entries.micropub_delete(endpoint, token, url)
    check(requests.get(url).status_code == 404, "entries deleted it: its URL answers 404")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
