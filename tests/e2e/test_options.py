"""The options page checks the backend URL as it is typed and tests the connection at the URL in the field
(before it is saved)."""

from __future__ import annotations

import re

import pytest

from .harness import free_port
from .test_static import readme_commands

pytestmark = pytest.mark.e2e


def options_page(ext):
    options = ext.ctx.new_page()
    options.goto(f"chrome-extension://{ext.ext_id}/extension/options/options.html")
    options.wait_for_function("u => document.getElementById('backendUrl').value === u", arg=ext.backend.url)
    return options


def url_message(options) -> str:
    return options.locator("#pl-url-msg").text_content()


def test_the_backend_url_is_checked_as_it_is_typed(ext):
    options = options_page(ext)
    field, msg = options.locator("#backendUrl"), options.locator("#pl-url-msg")
    try:
        field.fill("127.0.0.1:7500")  # no http://
        assert url_message(options) == "Start the URL with http:// (http://127.0.0.1:7500)"
        assert field.get_attribute("aria-invalid") == "true" and "pl-error" in msg.get_attribute("class")
        field.fill("http://example.com:7435")
        assert "127.0.0.1 or localhost" in url_message(options)
        field.fill("http://127.0.0.1:7500")
        assert url_message(options) == "" and field.get_attribute("aria-invalid") is None
        # The command shown starts a backend on the port typed.
        assert options.locator("#pl-cmd").text_content() == f"{readme_commands()[0]} --port 7500"
        # Saving a bad URL is refused with the same reason; the stored one stays.
        field.fill("localhost:7435")
        options.click("button[type=submit]")
        assert options.locator("#pl-msg").text_content() == "Not saved: Start the URL with http:// (http://localhost:7435)"
        assert ext.sw.evaluate("() => chrome.storage.local.get('backendUrl')")["backendUrl"] == ext.backend.url
    finally:
        options.close()


def test_test_connection_asks_the_url_in_the_field_not_the_saved_one(ext):
    from paperlens import __version__

    dead = f"http://127.0.0.1:{free_port()}"
    options = options_page(ext)
    field = options.locator("#backendUrl")
    try:
        # The saved URL answers; the one typed does not: the test is about the typed one.
        field.fill(dead)
        options.click("#pl-test")
        options.wait_for_function("() => document.getElementById('pl-url-msg').textContent.startsWith('Nothing answers')")
        assert f"Start it with: {readme_commands()[0]} --port {dead.rsplit(':', 1)[1]}" in url_message(options)
        assert "pl-error" in options.locator("#pl-url-msg").get_attribute("class")

        # And the other way round: the saved URL is dead, the one typed answers.
        ext.settings(backendUrl=dead)
        field.fill(ext.backend.url)
        options.click("#pl-test")
        options.wait_for_function("() => document.getElementById('pl-url-msg').textContent.startsWith('Connected')")
        assert re.fullmatch(rf"Connected: Paper Lens {re.escape(__version__)}, \d+ papers \(\d+ saved\)", url_message(options))
        assert ext.sw.evaluate("() => chrome.storage.local.get('backendUrl')")["backendUrl"] == dead  # not saved

        # The worker only calls loopback URLs, whoever asks.
        res = options.evaluate("() => chrome.runtime.sendMessage({type: 'checkBackend', backendUrl: 'http://example.com:7435'})")
        assert res["ok"] is False and "127.0.0.1 or localhost" in res["error"]
    finally:
        options.close()
        ext.settings(backendUrl=ext.backend.url)
