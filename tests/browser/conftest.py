"""Parcours dans Chromium (paquet Debian) piloté par Playwright, contre un serveur de test réel.

Sans navigateur, ces tests sont sautés en local, mais échouent quand ITINERA_EXIGER_NAVIGATEUR=1 (CI).
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def navigateur():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ITINERA_EXIGER_NAVIGATEUR"):
            pytest.fail(f"Chromium introuvable ({CHROMIUM}) alors que les tests navigateur sont exigés.")
        pytest.skip("Chromium n'est pas installé (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(navigateur, live_server):
    context = navigateur.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(20_000)  # la CI partage deux cœurs entre les tests et le serveur
    yield page
    context.close()
