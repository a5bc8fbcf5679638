"""One real-browser check of the app: `studio app` serves it, headless Chromium (driven by selenium through
chromedriver) places an emotion on the valence–arousal plane, generates an image and waits for it to render; the
page is saved as test-artifacts/app-screenshot.png.

Needs Debian's `chromium` and `chromium-driver` and the `selenium` package; without them it skips and says which.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "test-artifacts" / "app-screenshot.png"

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None:
    pytest.skip("chromium not installed (apt-get install chromium)", allow_module_level=True)
if CHROMEDRIVER is None:
    pytest.skip("chromedriver not installed (apt-get install chromium-driver)", allow_module_level=True)
selenium = pytest.importorskip("selenium", reason="selenium not installed (pip install selenium)")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served_app(out: Path):
    """`studio app` on a free local port, until the block ends."""
    port = free_port()
    env = {**os.environ, "STUDIO_APP_OUTPUT": str(out), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "studio", "app", "--headless", "--port", str(port), "--host", "127.0.0.1"]
    log = out.parent / "server.log"
    with open(log, "w") as sink:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--window-size=1440,1000", f"--user-data-dir={tmp_path / 'chromium-profile'}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def slider_values(driver) -> list[str]:
    for _ in range(20):  # a re-render between finding the thumbs and reading them: look again
        try:
            return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-testid='stSliderThumbValue']")]
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError("the sliders kept re-rendering for 2 s")


def test_place_an_emotion_generate_an_image_and_screenshot(browser, tmp_path):
    out = tmp_path / "out"
    with served_app(out) as url:
        # Streamlit re-renders while we look: an element found a moment ago may be gone when its text is read
        wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
        browser.get(url)
        plane_button = wait.until(
            lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == "Plane"), None)
        )
        plane_button.click()
        plane = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".st-key-plane_pick svg.marks"))
        wait.until(lambda d: len(slider_values(d)) == 3)
        before = slider_values(browser)
        width, height = plane.size["width"], plane.size["height"]
        ActionChains(browser).move_to_element_with_offset(
            plane, -int(width * 0.3), -int(height * 0.3)
        ).click().perform()
        wait.until(lambda d: slider_values(d) != before)  # the click moved valence and arousal
        valence = float(slider_values(browser)[0])
        assert valence < 0  # upper left of the plane: unpleasant and activated

        browser.find_element(By.CSS_SELECTOR, "a[href*='generate_page']").click()
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".st-key-btn_generate button")).click()
        image = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid='stImage'] img"))
        wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image))
        time.sleep(1)  # let the status box and scores settle before the picture is taken
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        png = browser.get_screenshot_as_png()
        SCREENSHOT.write_bytes(png)

    assert len(list((out / "image").glob("*.png"))) == 1
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert pixels.shape[0] > 500 and pixels.shape[1] > 1000
    assert pixels.std() > 20  # a rendered page with a painting on it, not a blank or error page
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 2000
